//! How remedies read in notices and logs.

use super::*;

#[test]
fn remedies_describe_the_api_call() {
    let r = Remedy::AddRouteTables {
        endpoint_id: "vpce-1".into(),
        route_table_ids: vec!["rtb-1".into(), "rtb-2".into()],
    };
    assert_eq!(
        r.describe(),
        "ModifyVpcEndpoint vpce-1 AddRouteTableIds=[rtb-1,rtb-2]"
    );
    let r = Remedy::EnableVpcDns {
        support: true,
        hostnames: true,
    };
    assert_eq!(
        r.describe(),
        "ModifyVpcAttribute EnableDnsSupport=true EnableDnsHostnames=true"
    );
}
