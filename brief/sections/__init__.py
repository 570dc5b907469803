"""The brief's sections: one module per manifest id, computing that section's facts, tables and charts.

Sections never import each other; what two of them share lives a layer down (brief.statements,
brief.facts, brief.text, brief.figures). Their sentences are written in the notebooks.
"""
