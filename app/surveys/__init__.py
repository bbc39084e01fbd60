"""The satisfaction survey after every install and repair (P-CARE-2, P-REC-3/4, P-INS-3, P-REP-2).

One survey per ticket climbs a ladder until somebody has the customer's answer: a text, one
reminder, an automated voice call, and finally a person (a staff callback task).
"""
