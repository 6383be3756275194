"""The writing report: for every message a learner sends, its spelling against a British
English dictionary, whether it answers what the customer asked (judged from structured data
where it exists, otherwise left to the assessor), the promise it makes and whether it was
kept, and anything it discloses about another person. Tone and empathy are the assessor's to
judge. `report.for_attempt` builds it; `spelling` checks words; `asks` names what a
customer's message can ask in a form the CRM can judge."""
