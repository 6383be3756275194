"""The comment banks simulated respondents draw on, one module per organisation profile (and
one for internal customers): profile -> theme -> tone -> comments. Tones: positive, negative,
suggestion. Every comment contains a keyword of its own theme
(crm_sandbox.services.feedback_themes).
"""
