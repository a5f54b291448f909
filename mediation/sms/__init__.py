"""SMS to parties: the gateway interface and its backends (Alibaba Cloud, Tencent Cloud, console,
file), the approved templates and the safety rules. Pure modules (phones, templates, rules) hold
the rules; mediation/services/reminders.py is the service that schedules, sends and records.
"""
