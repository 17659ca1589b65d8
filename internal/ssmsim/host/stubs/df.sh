# A simulated df for `df -Pk PATH`: the free space the node model gives /var.
set -u
[ -r /var/lib/hostmodel/df ] || { echo "df: cannot read table of mounted file systems" >&2; exit 1; }
free=$(head -n 1 </var/lib/hostmodel/df)
echo "Filesystem     1024-blocks     Used Available Capacity Mounted on"
echo "/dev/xvda1        20959212  4194304 $free      21% /"
