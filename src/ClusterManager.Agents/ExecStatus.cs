namespace ClusterManager.Agents;

/// <summary>
/// How the execution went, independent of what the agent answered: Pacemaker's <c>PCMK_EXEC_*</c> values
/// (<c>include/crm/common/results.h</c>), stored as <c>op-status</c> in the operation history.
/// </summary>
public enum ExecStatus
{
    Unknown = -2,
    Pending = -1,
    Done = 0,
    Cancelled = 1,
    Timeout = 2,
    NotSupported = 3,
    Error = 4,
    ErrorHard = 5,
    ErrorFatal = 6,
    NotInstalled = 7,
    NotConnected = 8,
    Invalid = 9,
    NoFenceDevice = 10,
    NoSecrets = 11,
}
