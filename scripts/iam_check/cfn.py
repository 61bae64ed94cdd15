"""The templates as CloudFormation would deploy them, offline: loading them, the two parameter
sets (sample values), the resolver of intrinsic functions and conditions (Stack), and the sample
ARN of each resource type the code touches (SAMPLE_RESOURCE)."""
import re

# scripts/ is on sys.path (iam_check is imported from there).
from check_templates import load  # its CfnLoader reads the short-form tags

# org-events-forwarder.yaml has policies too: linted like the others (part 1).
TEMPLATES = ("template.yaml", "member-role.yaml", "org-events-forwarder.yaml")


class TemplateError(Exception):
    """Something in a template this check cannot resolve (or CloudFormation would reject)."""


def load_templates():
    """{template name: template} of TEMPLATES, read from the repository root."""
    return {name: load(name) for name in TEMPLATES}


# ---------------------------------------------------------------------------------------------
# Sample deployment: pseudo parameters and the two parameter sets
# ---------------------------------------------------------------------------------------------
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::AccountId": "111111111111",
    "AWS::Region": "eu-west-1",
    "AWS::StackName": "vpce-guard",
    "AWS::StackId": (
        "arn:aws:cloudformation:eu-west-1:111111111111:stack/vpce-guard/"
        "6b1d2a40-8f3c-11ef-9a6e-0a1b2c3d4e5f"
    ),
    "AWS::URLSuffix": "amazonaws.com",
}

# Parameters without a Default, in every set.
REQUIRED = {
    "member-role.yaml": {"CentralAccountId": "222222222222"},
    "org-events-forwarder.yaml": {
        "CentralAccountId": "222222222222",
        "CentralEventRegion": "eu-west-1",
    },
}

# The "everything on" set: what it overrides of the defaults...
EVERYTHING_ON = {
    "template.yaml": {
        "OrganizationSweep": "true",
        "MemberRoleName": "vpce-guard-member",
        "MemberRoleExternalId": "sample-external-id",
        "SecurityHubFindings": "true",
        "CentralEndpoints": "detect",
        "AccountProfiles": '{"o-1":"x"}',
        "OrganizationId": "o-abcdefghij",
        "PruneUnused": "true",
    },
    "member-role.yaml": {
        "ExternalId": "sample-external-id",
        "CentralRolePattern": "arn:aws:iam::222222222222:role/vpce-guard-*",
        "CentralEventRegion": "eu-west-1",
        "SecurityHubFindings": "true",
        "CentralEndpoints": "detect",
        "PruneUnused": "true",
    },
}
# ...and the conditions it must turn on (a renamed parameter would silently leave one off).
EXPECTED_ON = {
    "template.yaml": [
        "IsOrganizationSweep", "HasMemberRole", "ImportsSecurityHubFindings",
        "DetectsCentralEndpoints", "HasAccountProfiles", "HasOrganizationId", "PrunesUnused",
    ],
    "member-role.yaml": [
        "CreateTheRole", "ImportsSecurityHubFindings", "DetectsCentralEndpoints",
        "HasExternalId", "HasRolePattern", "ForwardEvents", "PrunesUnused",
    ],
}
PARAMETER_SETS = ("default", "on")


# ---------------------------------------------------------------------------------------------
# Sample resources
# ---------------------------------------------------------------------------------------------
def _sub(text):
    return {"Fn::Sub": text}


_EC2 = "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:"
_ORG = "arn:${AWS::Partition}:organizations::${AWS::AccountId}:"
# A resource the code touches, per resource type, resolved in the role's own template (so its
# account is the one the role acts in); each must fit parliament's ARN format of the type.
SAMPLE_RESOURCE = {
    "vpc": _sub(_EC2 + "vpc/vpc-0a1b2c3d4e5f67890"),
    "subnet": _sub(_EC2 + "subnet/subnet-0a1b2c3d4e5f67890"),
    "route-table": _sub(_EC2 + "route-table/rtb-0a1b2c3d4e5f67890"),
    "security-group": _sub(_EC2 + "security-group/sg-0a1b2c3d4e5f67890"),
    "vpc-endpoint": _sub(_EC2 + "vpc-endpoint/vpce-0a1b2c3d4e5f67890"),
    # NOTICE_TOPIC_ARN, SWEEP_TABLE_NAME and WORK_QUEUE_URL name these.
    "topic": {"Ref": "NoticeTopic"},
    "table": {"Fn::GetAtt": ["SweepTable", "Arn"]},
    "queue": {"Fn::GetAtt": ["WorkQueue", "Arn"]},
    # ids.rs member_role_arn, in a member account.
    "role": _sub("arn:${AWS::Partition}:iam::333333333333:role/${MemberRoleName}"),
    # security_hub/finding.rs product_arn, and the hub of the same account and Region.
    "product": _sub(
        "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:"
        "product/${AWS::AccountId}/default"
    ),
    "hub": _sub("arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default"),
    "account": _sub(_ORG + "account/o-abcdefghij/333333333333"),
    "organizationalunit": _sub(_ORG + "ou/o-abcdefghij/ou-ab12-cdefgh34"),
    "root": _sub(_ORG + "root/o-abcdefghij/r-ab12"),
    # An organization trail, which belongs to the management account.
    "trail": _sub(
        "arn:${AWS::Partition}:cloudtrail:us-east-1:444444444444:trail/organization-trail"
    ),
}


# ---------------------------------------------------------------------------------------------
# Resolving intrinsic functions
# ---------------------------------------------------------------------------------------------
NO_VALUE = object()  # AWS::NoValue: removes the list item or map entry holding it
VALUE_FUNCTIONS = {"Ref", "Sub", "GetAtt", "Join", "Split", "Select", "If", "FindInMap"}
CONDITION_FUNCTIONS = {"Equals", "Not", "And", "Or", "Condition"}

# The property naming a resource, where the template may set it.
NAME_PROPERTY = {
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::Events::Rule": "Name",
}
ARN_FORMAT = {
    "AWS::SNS::Topic": "arn:{partition}:sns:{region}:{account}:{name}",
    "AWS::SQS::Queue": "arn:{partition}:sqs:{region}:{account}:{name}",
    "AWS::DynamoDB::Table": "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    "AWS::IAM::Role": "arn:{partition}:iam::{account}:role{path}{name}",
    "AWS::IAM::ManagedPolicy": "arn:{partition}:iam::{account}:policy{path}{name}",
    "AWS::KMS::Key": "arn:{partition}:kms:{region}:{account}:key/{name}",
    "AWS::S3::Bucket": "arn:{partition}:s3:::{name}",
    "AWS::Serverless::Function": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    "AWS::Lambda::Function": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    "AWS::Logs::LogGroup": "arn:{partition}:logs:{region}:{account}:log-group:{name}:*",
    "AWS::CloudWatch::Alarm": "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
    "AWS::Events::Rule": "arn:{partition}:events:{region}:{account}:rule/{name}",
}
# CloudFormation's generated names end in a random suffix; a KMS key's id is a UUID.
NAME_SUFFIX = "1A2B3C4D5E6F"
SAMPLE_KEY_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def intrinsic(value, names=VALUE_FUNCTIONS):
    """(function, argument) when value is one of the intrinsic functions `names`, in the short
    form as CfnLoader reads it ({"Sub": ...}) or the long form ({"Fn::Sub": ...}); else (None,
    None)."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        name = key[len("Fn::"):] if key.startswith("Fn::") else key
        if name in names:
            return name, argument
    return None, None


def text_of(value):
    """A scalar as CloudFormation compares and substitutes it (YAML true -> "true", 8 -> "8")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def with_implicit_roles(template):
    """The template's resources plus the role SAM creates for each function without a Role
    (<Function>Role, with the function's Condition and its RolePath or the global one)."""
    resources = dict(template.get("Resources", {}))
    global_path = template.get("Globals", {}).get("Function", {}).get("RolePath", "/")
    for logical_id, resource in list(resources.items()):
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and "Role" not in properties:
            path = properties.get("RolePath", global_path)
            role = {"Type": "AWS::IAM::Role", "Properties": {"Path": path}}
            if "Condition" in resource:
                role["Condition"] = resource["Condition"]
            resources[logical_id + "Role"] = role
    return resources


def parameter_values(declared, given, template_name):
    """Every parameter's value: `given`, else its Default; lists for the list types."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise TemplateError(f"{template_name} has no parameters {unknown} (check_iam.py samples)")
    values = {}
    for name, declaration in declared.items():
        if name in given:
            value = given[name]
        elif "Default" in declaration:
            value = declaration["Default"]
        else:
            raise TemplateError(f"{template_name} parameter {name} has no Default: add it to REQUIRED")
        if declaration.get("Type", "").startswith(("CommaDelimitedList", "List<")):
            value = [item.strip() for item in text_of(value).split(",")]
        else:
            value = text_of(value)
        values[name] = value
    return values


class Stack:
    """One template deployed with one parameter set: evaluates intrinsic functions and
    conditions to the values CloudFormation would produce (sample physical names and ARNs)."""

    def __init__(self, name, template, parameters):
        self.name = name
        self.template = template
        self.resources = with_implicit_roles(template)
        self.parameters = parameter_values(template.get("Parameters", {}), parameters, name)
        self._conditions = {}

    # -- conditions ----------------------------------------------------------------------------
    def condition(self, name):
        """The value of the named condition of the template."""
        if name not in self._conditions:
            definitions = self.template.get("Conditions", {})
            if name not in definitions:
                raise TemplateError(f"{self.name} has no condition {name}")
            self._conditions[name] = self.evaluate(definitions[name])
        return self._conditions[name]

    def evaluate(self, expression):
        """A condition expression: Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition."""
        name, argument = intrinsic(expression, CONDITION_FUNCTIONS)
        if name == "Equals":
            left, right = (self.resolve(side) for side in argument)
            return text_of(left) == text_of(right)
        if name == "Not":
            return not self.evaluate(argument[0])
        if name == "And":
            return all(self.evaluate(part) for part in argument)
        if name == "Or":
            return any(self.evaluate(part) for part in argument)
        if name == "Condition":
            return self.condition(argument)
        raise TemplateError(f"{self.name}: not a condition expression: {expression}")

    def exists(self, logical_id):
        """Whether this parameter set creates the resource."""
        resource = self.resources[logical_id]
        return "Condition" not in resource or self.condition(resource["Condition"])

    # -- values --------------------------------------------------------------------------------
    def resolve(self, value):
        """value with every intrinsic function evaluated; list items and map entries that are
        AWS::NoValue removed (NO_VALUE when value itself is)."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        name, argument = intrinsic(value)
        if name:
            return self.call(name, argument)
        entries = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in entries.items() if item is not NO_VALUE}

    def call(self, name, argument):
        """One intrinsic function."""
        if name == "Ref":
            return self.ref(argument)
        if name == "GetAtt":
            return self.get_att(argument)
        if name == "Sub":
            return self.sub(argument)
        if name == "If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(condition) else when_false)
        if name == "Join":
            delimiter, items = argument
            return delimiter.join(text_of(item) for item in self.resolve(items))
        if name == "Split":
            delimiter, source = argument
            return self.resolve(source).split(delimiter)
        if name == "Select":
            index, items = argument
            return self.resolve(items)[int(self.resolve(index))]
        if name == "FindInMap":
            mapping, key, entry = (text_of(self.resolve(part)) for part in argument)
            return self.template["Mappings"][mapping][key][entry]
        raise TemplateError(f"{self.name}: unsupported function {name}")

    def ref(self, name):
        """!Ref of a pseudo parameter, parameter or resource."""
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            return self.parameters[name]
        kind = self.resource_type(name)
        if kind in ("AWS::SNS::Topic", "AWS::IAM::ManagedPolicy"):
            return self.arn(name)
        if kind == "AWS::SQS::Queue":
            return self.queue_url(name)
        return self.physical_name(name)

    def get_att(self, argument):
        """!GetAtt X.Attribute (or the long form [X, Attribute])."""
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        self.resource_type(logical_id)
        if attribute in ("Arn", "TopicArn"):
            return self.arn(logical_id)
        if attribute == "QueueUrl":
            return self.queue_url(logical_id)
        if attribute in ("QueueName", "TopicName", "KeyId"):
            return self.physical_name(logical_id)
        raise TemplateError(f"{self.name}: unsupported attribute {logical_id}.{attribute}")

    def sub(self, argument):
        """!Sub "text" and !Sub ["text", {name: value}]; ${!Literal} stays ${Literal}."""
        if isinstance(argument, list):
            text, variables = argument[0], self.resolve(argument[1])
        else:
            text, variables = argument, {}

        def replace(match):
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                value = self.get_att(name)
            else:
                value = self.ref(name)
            if isinstance(value, list) or value is NO_VALUE:
                raise TemplateError(f"{self.name}: ${{{name}}} in !Sub is not a string")
            return text_of(value)

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    # -- resources -----------------------------------------------------------------------------
    def resource_type(self, logical_id):
        """The type of a resource this parameter set creates."""
        if logical_id not in self.resources:
            raise TemplateError(f"{self.name}: no parameter or resource {logical_id}")
        if not self.exists(logical_id):
            raise TemplateError(f"{self.name}: {logical_id} is referred to but not created here")
        return self.resources[logical_id]["Type"]

    def physical_name(self, logical_id):
        """The resource's name: its name property, else CloudFormation's generated one."""
        resource = self.resources[logical_id]
        if resource["Type"] == "AWS::KMS::Key":
            return SAMPLE_KEY_ID
        name_property = NAME_PROPERTY.get(resource["Type"])
        given = resource.get("Properties", {}).get(name_property) if name_property else None
        if given is not None:
            return text_of(self.resolve(given))
        return f"{PSEUDO['AWS::StackName']}-{logical_id}-{NAME_SUFFIX}"

    def arn(self, logical_id):
        """The resource's ARN."""
        kind = self.resource_type(logical_id)
        if kind not in ARN_FORMAT:
            raise TemplateError(f"{self.name}: no sample ARN for {kind} ({logical_id})")
        path = self.resolve(self.resources[logical_id].get("Properties", {}).get("Path", "/"))
        return ARN_FORMAT[kind].format(
            partition=PSEUDO["AWS::Partition"],
            region=PSEUDO["AWS::Region"],
            account=PSEUDO["AWS::AccountId"],
            path=path,
            name=self.physical_name(logical_id),
        )

    def queue_url(self, logical_id):
        region, account = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
        return f"https://sqs.{region}.amazonaws.com/{account}/{self.physical_name(logical_id)}"


def stacks_for(parameter_set, templates):
    """{template name: Stack} of one parameter set; the everything-on set must turn on every
    condition of EXPECTED_ON."""
    stacks = {}
    for name, template in templates.items():
        given = dict(REQUIRED.get(name, {}))
        if parameter_set == "on":
            given.update(EVERYTHING_ON.get(name, {}))
            stack = Stack(name, template, given)
            off = [c for c in EXPECTED_ON.get(name, []) if not stack.condition(c)]
            if off:
                raise TemplateError(f"{name}: the everything-on parameters leave {off} false")
        else:
            stack = Stack(name, template, given)
        stacks[name] = stack
    return stacks
