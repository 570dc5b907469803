"""Shared code for the Ottawa Convention withdrawals brief: data, charts, citations, build."""

import sys

__version__ = "0.1.0"

# jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, and that module
# compiles a Lark grammar at import: about 1.5 s in every process. The brief never validates IRIs,
# so our processes (the build and the notebook kernels) go without it; JupyterLab, a separate
# process, keeps it. jsonschema treats the missing module as an optional extra.
sys.modules.setdefault("rfc3987_syntax", None)
