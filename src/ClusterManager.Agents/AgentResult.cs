namespace ClusterManager.Agents;

/// <summary>
/// What an operation produced: the OCF exit code <paramref name="Rc"/>, how the execution went
/// (<paramref name="Status"/>), the agent's exit reason (the last <c>ocf-exit-reason:</c> line on stderr, or the
/// executor's own explanation), what the agent printed, when it started and how long it took.
/// </summary>
public sealed record AgentResult(
    OcfExitCode Rc,
    ExecStatus Status,
    string? ExitReason,
    string Output,
    string ErrorOutput,
    DateTimeOffset StartedAt,
    TimeSpan Duration)
{
    /// <summary>True when the agent ran to completion and answered success (0), or degraded success (190/191).</summary>
    public bool IsSuccess => Status == ExecStatus.Done
        && Rc is OcfExitCode.Success or OcfExitCode.Degraded or OcfExitCode.DegradedPromoted;

    /// <summary>A result made by the executor itself (no agent output).</summary>
    public static AgentResult Of(OcfExitCode rc, ExecStatus status, string? reason, DateTimeOffset startedAt, TimeSpan duration) =>
        new(rc, status, reason, string.Empty, string.Empty, startedAt, duration);
}
