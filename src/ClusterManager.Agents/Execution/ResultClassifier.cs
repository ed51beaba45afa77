namespace ClusterManager.Agents.Execution;

/// <summary>How bad a failed operation is, which decides Pacemaker's recovery.</summary>
public enum FailureSeverity
{
    /// <summary>Not a failure (expected result, pending, cancelled, or a recurring action the agent does not implement).</summary>
    None,

    /// <summary>Recover in place: restart here, or move once the migration threshold is reached.</summary>
    Soft,

    /// <summary>The resource cannot run on this node (ban from the node).</summary>
    Hard,

    /// <summary>The resource cannot run anywhere (stop it everywhere).</summary>
    Fatal,
}

/// <summary>
/// Pacemaker's interpretation of an operation result (<c>remap_operation</c> in <c>lib/pengine/unpack.c</c>):
/// a completed operation whose rc is not the expected one becomes an error of the severity its rc implies.
/// Results that did not complete (timeout, not installed, pending, …) keep their execution status.
/// </summary>
public static class ResultClassifier
{
    /// <summary>
    /// The execution status Pacemaker records for <paramref name="result"/> of <paramref name="request"/>, given
    /// the rc the transition expected (<see cref="OcfExitCode.NotRunning"/> for probes of inactive resources), and
    /// the severity of the failure.
    /// </summary>
    public static (ExecStatus Status, FailureSeverity Severity) Classify(AgentRequest request, AgentResult result, OcfExitCode expected)
    {
        var status = result.Status == ExecStatus.Done ? Remap(request, result.Rc, expected) : result.Status;
        return (status, SeverityOf(status));
    }

    /// <summary>The severity implied by an execution status.</summary>
    public static FailureSeverity SeverityOf(ExecStatus status) => status switch
    {
        ExecStatus.Done or ExecStatus.Pending or ExecStatus.Cancelled or ExecStatus.NotSupported => FailureSeverity.None,
        ExecStatus.ErrorHard or ExecStatus.NotInstalled or ExecStatus.Invalid => FailureSeverity.Hard,
        ExecStatus.ErrorFatal => FailureSeverity.Fatal,
        _ => FailureSeverity.Soft,
    };

    /// <summary>Pacemaker's text for an rc, as in "returned 'not running'".</summary>
    public static string Describe(OcfExitCode rc) => rc switch
    {
        OcfExitCode.Success => "ok",
        OcfExitCode.GenericError => "error",
        OcfExitCode.InvalidArguments => "invalid parameter",
        OcfExitCode.Unimplemented => "unimplemented feature",
        OcfExitCode.InsufficientPrivileges => "insufficient privileges",
        OcfExitCode.NotInstalled => "not installed",
        OcfExitCode.NotConfigured => "not configured",
        OcfExitCode.NotRunning => "not running",
        OcfExitCode.RunningPromoted => "promoted",
        OcfExitCode.FailedPromoted => "promoted (failed)",
        OcfExitCode.Degraded => "degraded",
        OcfExitCode.DegradedPromoted => "promoted (degraded)",
        OcfExitCode.Unknown => "pending",
        _ => "unknown",
    };

    private static ExecStatus Remap(AgentRequest request, OcfExitCode rc, OcfExitCode expected)
    {
        // Degraded results count as their healthy counterparts.
        var effective = rc switch
        {
            OcfExitCode.Degraded => OcfExitCode.Success,
            OcfExitCode.DegradedPromoted => OcfExitCode.RunningPromoted,
            _ => rc,
        };
        if (effective == expected)
        {
            return ExecStatus.Done;
        }

        return effective switch
        {
            // A probe discovers the state, whatever it is.
            OcfExitCode.Success or OcfExitCode.RunningPromoted or OcfExitCode.NotRunning when request.IsProbe => ExecStatus.Done,
            OcfExitCode.Unimplemented when request.IsRecurring => ExecStatus.NotSupported,
            OcfExitCode.Unimplemented or OcfExitCode.InvalidArguments or OcfExitCode.InsufficientPrivileges or OcfExitCode.NotInstalled
                => ExecStatus.ErrorHard,
            OcfExitCode.NotConfigured => ExecStatus.ErrorFatal,
            _ => ExecStatus.Error,
        };
    }
}
