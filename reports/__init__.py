"""Statistics and monthly reports: numbers for people who may not see names (ARCHITECTURE.md).
Reads mediation and counselors through querysets and read helpers; nothing imports reports.
"""
