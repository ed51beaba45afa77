namespace ClusterManager.Agents;

/// <summary>
/// OCF exit codes (OCF 1.1 numbers). Both the resource-agents names (<c>RunningMaster</c>) and Pacemaker's
/// (<c>RunningPromoted</c>) are given for 8 and 9. <see cref="Unknown"/> (193) is Pacemaker's "pending" marker.
/// </summary>
public enum OcfExitCode
{
    Success = 0,
    GenericError = 1,
    InvalidArguments = 2,
    Unimplemented = 3,
    InsufficientPrivileges = 4,
    NotInstalled = 5,
    NotConfigured = 6,
    NotRunning = 7,
    RunningPromoted = 8,
    RunningMaster = 8,
    FailedPromoted = 9,
    FailedMaster = 9,
    Degraded = 190,
    DegradedPromoted = 191,
    Unknown = 193,
}
