//! The baseline presets vpce-guard ships: named endpoint sets for common workloads, which a
//! profile names (`{"preset": "eks"}`) and may extend. Each list says where it comes from, so
//! it can be checked against the AWS page when AWS changes its advice.

use std::collections::{BTreeMap, BTreeSet};

use super::{BaselineDocument, EndpointType, InterfacePolicy, ServiceEntry};

use EndpointType::{Gateway, Interface};

/// A shipped set of endpoint services (short names) for one kind of workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    pub services: &'static [(&'static str, EndpointType)],
}

/// Amazon ECS tasks on Fargate pulling images from ECR and logging to CloudWatch Logs, after
/// <https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html> (ecr.api,
/// ecr.dkr, the S3 gateway for image layers, logs for the awslogs driver). The DynamoDB
/// gateway is free and was in the guard's standard set from the start. This is the standard
/// baseline when `GUARD_BASELINE` is unset.
pub const ECS_FARGATE: Preset = Preset {
    name: "ecs-fargate",
    services: &[
        ("s3", Gateway),
        ("dynamodb", Gateway),
        ("ecr.api", Interface),
        ("ecr.dkr", Interface),
        ("logs", Interface),
    ],
};

/// Private EKS clusters, per the EKS user guide "Deploy private clusters with limited internet
/// access": <https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html> (image
/// pulls, nodes joining, IAM roles for service accounts, load balancers, Cluster Autoscaler,
/// container logs).
pub const EKS: Preset = Preset {
    name: "eks",
    services: &[
        ("s3", Gateway),
        ("ecr.api", Interface),
        ("ecr.dkr", Interface),
        ("ec2", Interface),
        ("sts", Interface),
        ("elasticloadbalancing", Interface),
        ("autoscaling", Interface),
        ("logs", Interface),
    ],
};

/// Session Manager to instances without internet access, per
/// <https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html>. The
/// S3 gateway that page calls optional (patching, session logs to S3) is left out: add it as
/// an extra service where it is needed.
pub const SSM: Preset = Preset {
    name: "ssm",
    services: &[
        ("ssm", Interface),
        ("ssmmessages", Interface),
        ("ec2messages", Interface),
    ],
};

/// Lambda functions attached to VPCs: the services such functions commonly call (objects,
/// tables, logs, assumed roles, secrets, keys, queues). No single AWS page lists this set; it
/// is a judgement, meant to be extended or trimmed per profile.
pub const LAMBDA: Preset = Preset {
    name: "lambda",
    services: &[
        ("s3", Gateway),
        ("dynamodb", Gateway),
        ("logs", Interface),
        ("sts", Interface),
        ("secretsmanager", Interface),
        ("kms", Interface),
        ("sqs", Interface),
    ],
};

/// The endpoints AWS Security Hub's EC2 controls check for: EC2.10 (ec2), EC2.55 (ecr.api),
/// EC2.56 (ecr.dkr) and EC2.57 (ssm), per
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html>.
pub const SECURITY_HUB: Preset = Preset {
    name: "security-hub",
    services: &[
        ("ec2", Interface),
        ("ecr.api", Interface),
        ("ecr.dkr", Interface),
        ("ssm", Interface),
    ],
};

/// Every shipped preset.
pub const PRESETS: &[Preset] = &[ECS_FARGATE, EKS, SSM, LAMBDA, SECURITY_HUB];

/// The shipped preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The shipped presets' names, for error messages: `ecs-fargate, eks, ...`.
pub fn preset_names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every service (short name) any shipped preset names: what the deployment's IAM condition
/// and allowed services must cover for a profile to use any preset.
pub fn preset_service_names() -> BTreeSet<&'static str> {
    PRESETS
        .iter()
        .flat_map(|p| p.services.iter().map(|(service, _)| *service))
        .collect()
}

impl Preset {
    /// The preset's services as baseline entries (private DNS on, no policy).
    pub fn entries(&self) -> Vec<ServiceEntry> {
        self.services
            .iter()
            .map(|&(service, endpoint_type)| ServiceEntry {
                service: service.to_string(),
                endpoint_type,
                private_dns: None,
                policy: None,
            })
            .collect()
    }

    /// The preset as a whole baseline document, with the document's defaults.
    pub fn document(&self) -> BaselineDocument {
        BaselineDocument {
            services: self.entries(),
            interface_endpoints: InterfacePolicy::Always,
            pricing: None,
            pricing_by_region: BTreeMap::new(),
            nat_traffic: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_valid_baseline_with_a_unique_name() {
        for preset in PRESETS {
            assert_eq!(preset.document().validate(), Ok(()), "{}", preset.name);
            assert_eq!(
                PRESETS.iter().filter(|p| p.name == preset.name).count(),
                1,
                "{}",
                preset.name
            );
        }
    }

    #[test]
    fn presets_are_found_by_name_only() {
        assert_eq!(preset("eks"), Some(&EKS));
        assert_eq!(preset("security-hub").map(|p| p.services.len()), Some(4));
        assert_eq!(preset("EKS"), None);
        assert!(preset_names().contains("ecs-fargate, eks, ssm"));
    }

    #[test]
    fn preset_service_names_cover_every_preset_once() {
        let names = preset_service_names();
        assert_eq!(names.len(), 15);
        for preset in PRESETS {
            for (service, _) in preset.services {
                assert!(names.contains(service), "{service}");
            }
        }
        assert!(names.contains("elasticloadbalancing") && names.contains("ec2messages"));
    }

    #[test]
    fn ssm_leaves_the_optional_s3_gateway_out() {
        let names: Vec<&str> = SSM.services.iter().map(|(s, _)| *s).collect();
        assert_eq!(names, ["ssm", "ssmmessages", "ec2messages"]);
    }

    #[test]
    fn standard_document_is_the_ecs_fargate_preset() {
        let doc = BaselineDocument::standard();
        assert_eq!(doc, ECS_FARGATE.document());
        assert_eq!(doc.services.len(), 5);
        assert_eq!(doc.services[0].service, "s3");
        assert_eq!(doc.services[0].endpoint_type, Gateway);
    }
}
