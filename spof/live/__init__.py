"""The live check's readers: what boto3 and the Cloudflare SDK find, as the resource graph the rules read.

Each module reads one area of the account and returns `spof.graph.Resource` objects with the
Pulumi type tokens and camelCase properties that a program would have given, so that the rules
of the offline plan apply unchanged. Ids, ARNs and names are the account's own, which lets the
graph follow references exactly as it does for a recording.
"""
