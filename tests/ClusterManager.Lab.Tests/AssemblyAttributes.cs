using System.Runtime.Versioning;

// The lab runs as root on Linux: network namespaces, systemd-nspawn containers, ipmi_sim.
[assembly: SupportedOSPlatform("linux")]
