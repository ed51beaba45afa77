using System.Runtime.Versioning;

// These tests run real Linux agents, namespaces and systemd.
[assembly: SupportedOSPlatform("linux")]
