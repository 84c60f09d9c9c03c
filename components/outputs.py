"""Descriptions of the stack outputs, from which the README's table of outputs is generated."""

STACK_OUTPUTS: dict[str, str] = {
    "azs": "AZs the stack spreads every tier over.",
    "url": "Address of the shop.",
    "imagesUrl": "Address of the image CDN.",
    "route53NameServers": "Name servers of the Route 53 zone; list them at the registrar.",
    "cloudflareNameServers": "Name servers of the Cloudflare zone; list them at the registrar too. "
    "Empty without Cloudflare.",
    "publicLoadBalancerDnsName": "DNS name of the public load balancer that the apex and `www` point at.",
    "cdnDomainName": "CloudFront domain that `images` points at.",
    "imageBucket": "Primary image bucket; upload product images here.",
    "replicaImageBucket": "Replica image bucket in `storage.replicaRegion`, filled by S3 replication.",
    "databaseEndpoint": "Address and port of the MySQL primary.",
    "cacheEndpoint": "Primary endpoint of the cache replication group.",
    "paymentRetryQueueUrl": "SQS queue where failed payments wait for a retry.",
    "ciDeployRoleArn": "Role GitHub Actions assumes to run `pulumi up` for this stack.",
    "ciPreviewRoleArn": "Read-only role GitHub Actions assumes to run `pulumi preview` on pull requests.",
    "alarmTopicArn": "SNS topic that receives every alarm; subscribe your paging tool to it.",
    "logBucket": "Bucket holding load balancer and CDN access logs.",
    "backupVault": "AWS Backup vault holding the database backups.",
    "chaosTemplateIds": "AWS FIS experiment templates for the chaos drills.",
}
