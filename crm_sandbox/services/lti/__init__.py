"""LTI 1.3 (IMS LTI Advantage) with PyLTI1p3: the college's learning platform (Moodle, Canvas)
launches people into the CRM Sandbox without a second password, adds scenarios as activities
(deep linking), receives grades (AGS) and shares its course roster (NRPS).

`keys` is the tool's key pair; `tool_conf` is PyLTI1p3's view of the registrations.
"""
