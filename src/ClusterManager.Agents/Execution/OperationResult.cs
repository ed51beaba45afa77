using ClusterManager.Model.Status;

namespace ClusterManager.Agents.Execution;

/// <summary>
/// A completed operation as the executor reports it: the request, the executor's call id (increasing per
/// executor, as Pacemaker's <c>call-id</c>) and the agent's result.
/// </summary>
public sealed record OperationResult(AgentRequest Request, int CallId, AgentResult Result)
{
    /// <summary>
    /// The result as an entry of the operation history (Pacemaker's <c>lrm_rsc_op</c>). Times are Unix epoch
    /// seconds; <paramref name="lastRcChange"/> defaults to the start of this run.
    /// </summary>
    public OperationRecord ToOperationRecord(string? onNode, int? expectedRc = null, string? transitionKey = null, long? lastRcChange = null)
    {
        var started = Result.StartedAt.ToUnixTimeSeconds();
        return new OperationRecord(
            Request.OperationKey,
            Request.OperationKey,
            Request.Action,
            CallId,
            (int)Result.Rc,
            (int)Result.Status,
            Request.Interval,
            expectedRc,
            transitionKey,
            lastRcChange ?? started,
            started,
            Result.ExitReason,
            null,
            onNode,
            null,
            null,
            (long)Result.Duration.TotalMilliseconds);
    }
}
