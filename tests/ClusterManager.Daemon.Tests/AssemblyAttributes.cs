using System.Runtime.Versioning;

// These tests run real clusterd processes, OCF agents and fence agents on Linux.
[assembly: SupportedOSPlatform("linux")]
