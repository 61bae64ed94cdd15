"""The checks that scripts/check_iam.py runs (its docstring says what they check), one concept a
module:

- cfn: loading the templates, the two parameter sets, the resolver of intrinsic functions and
  conditions (Stack), and the sample ARNs of the resources the code touches;
- policies: the policy documents a Stack creates and each role's statements, IAM's match of
  Action and Resource, parliament's definitions of services and actions (used by the others);
- lint: part 1, parliament's findings on every document and which of them fail (DELIBERATE);
- sent: the actions the code sends (SENT, the role groups, AUTHORIZED_AS, ROLES) and the scan
  of the Rust code that SENT must equal;
- allowed: part 2, whether each sent action is allowed by its role's policies (condition keys,
  allowing_statement, check_allowed).

Imported as a top-level package from scripts/ (on sys.path), where cfn also finds
check_templates.
"""
