"""Marketing site from an older template: a BucketV2 for uploads, never versioned, and the site's
name on Route 53 and Cloudflare, the latter through the deprecated cloudflare.Record."""

import pulumi
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare

config = pulumi.Config()
domain = config.get("domain") or "example.org"

uploads = aws.s3.BucketV2("uploads", tags={"team": "marketing"})
assets = aws.s3.BucketV2("assets")
aws.s3.BucketVersioningV2("assets", bucket=assets.id, versioning_configuration={"status": "Enabled"})

zone = aws.route53.Zone("site", name=domain)
cf_zone = cloudflare.Zone("site", name=domain, account={"id": "0123456789abcdef0123456789abcdef"})

aws.route53.Record(
    "www",
    zone_id=zone.zone_id,
    name=f"www.{domain}",
    type="CNAME",
    ttl=60,
    records=[assets.bucket_regional_domain_name],
)
cloudflare.Record(
    "www",
    zone_id=cf_zone.id,
    name="www",
    type="CNAME",
    ttl=60,
    proxied=False,
    content=assets.bucket_regional_domain_name,
)

pulumi.export("uploads_bucket", uploads.bucket)
