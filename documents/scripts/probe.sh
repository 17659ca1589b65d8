# probe.sh: the probe document's main part. Read-only: it prints one line
# of JSON (documents.ProbeReport) and changes nothing on the node.
set -u
pr_report
