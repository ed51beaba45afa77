using System.Globalization;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Cli.Output;

/// <summary>A failed operation from the recorded history (crm_mon's "Failed Resource Actions").</summary>
internal sealed record FailedAction(NodeName Node, string Resource, OperationRecord Operation);

/// <summary>A fail count (the <c>fail-count-RSC#OP_INTERVAL</c> transient attribute of a node).</summary>
internal sealed record FailCount(NodeName Node, string Resource, string Operation, long IntervalMs, Score Count, long? LastFailure);

/// <summary>
/// Failures as Pacemaker derives them from the status section: failed operation records (the
/// <c>RSC_last_failure_0</c> entries and any other record whose result is not the expected one) and the fail counts
/// the controller keeps as transient node attributes.
/// </summary>
internal static class OperationFailures
{
    /// <summary>Failed operations, one per node, resource and operation key; failures recorded as last_failure first.</summary>
    public static IReadOnlyList<FailedAction> Failed(ClusterStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var result = new List<FailedAction>();
        foreach (var node in status.Nodes.OrderBy(n => n.Name.Value, NodeNameOrder.Instance))
        {
            foreach (var resource in node.Resources)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var op in resource.Operations.OrderBy(o => o.Id.EndsWith("_last_failure_0", StringComparison.Ordinal) ? 0 : 1))
                {
                    if (IsFailure(op) && seen.Add(op.OperationKey))
                    {
                        result.Add(new FailedAction(node.Name, resource.Id.Value, op));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Whether a record is a failure: the executor could not run it (any execution status but done and pending), or
    /// its exit code differs from the expected one (0 unless recorded; a probe may find a resource stopped or promoted).
    /// </summary>
    public static bool IsFailure(OperationRecord op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (op.ExecStatus == -1)
        {
            return false;
        }

        if (op.ExecStatus != 0)
        {
            return true;
        }

        if (op.ExpectedRc is { } expected)
        {
            return op.RcCode != expected;
        }

        var probe = op.Operation == "monitor" && op.Interval == TimeSpan.Zero;
        return op.RcCode != 0 && !(probe && op.RcCode is 7 or 8);
    }

    /// <summary>The fail counts recorded on nodes, optionally of one resource (its clone instances included).</summary>
    public static IReadOnlyList<FailCount> FailCounts(ClusterStatus status, string? resource = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        var result = new List<FailCount>();
        foreach (var node in status.Nodes.OrderBy(n => n.Name.Value, NodeNameOrder.Instance))
        {
            foreach (var (name, value) in node.TransientAttributes)
            {
                if (!name.StartsWith("fail-count-", StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = name["fail-count-".Length..];
                var hash = rest.LastIndexOf('#');
                if (hash <= 0)
                {
                    continue;
                }

                var rsc = rest[..hash];
                var opKey = rest[(hash + 1)..];
                var underscore = opKey.LastIndexOf('_');
                var operation = underscore > 0 ? opKey[..underscore] : opKey;
                var interval = underscore > 0 && long.TryParse(opKey[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
                if (resource is not null && rsc != resource && ResourceDisplay.BaseId(rsc) != resource)
                {
                    continue;
                }

                if (!Score.TryParse(value, out var count) || count.Value == 0)
                {
                    continue;
                }

                var lastFailure = node.TransientAttributes.GetValueOrDefault($"last-failure-{rest}") is { } lf
                                  && long.TryParse(lf, NumberStyles.None, CultureInfo.InvariantCulture, out var when) ? when : (long?)null;
                result.Add(new FailCount(node.Name, rsc, operation, interval, count, lastFailure));
            }
        }

        return result;
    }

    /// <summary>Pacemaker's name of an OCF exit code (services_ocf_exitcode_str).</summary>
    public static string ExitCodeText(int rc) => rc switch
    {
        0 => "ok",
        1 => "error",
        2 => "invalid parameter",
        3 => "unimplemented feature",
        4 => "insufficient privileges",
        5 => "not installed",
        6 => "not configured",
        7 => "not running",
        8 => "promoted",
        9 => "promoted (failed)",
        190 => "OCF_DEGRADED",
        191 => "promoted (degraded)",
        _ => "unknown",
    };

    /// <summary>Pacemaker's name of an execution status (pcmk_exec_status_str).</summary>
    public static string ExecStatusText(int status) => status switch
    {
        -1 => "pending",
        0 => "complete",
        1 => "Cancelled",
        2 => "Timed Out",
        3 => "NOT SUPPORTED",
        4 => "Error",
        5 => "Hard error",
        6 => "Fatal error",
        7 => "Not installed",
        8 => "Internal communication failure",
        9 => "Cannot execute now",
        10 => "No fence device",
        11 => "CIB secrets unavailable",
        _ => "unknown",
    };

    /// <summary>
    /// crm_mon's line: <c>VirtualIP_start_0 on n1 'error' (1): call=5, status='complete', exitreason='...',
    /// last-rc-change='Thu Jan  1 00:00:00 2026', queued=0ms, exec=33ms</c>.
    /// </summary>
    public static string Line(FailedAction failed, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(failed);
        var op = failed.Operation;
        var line = $"{op.OperationKey} on {failed.Node} '{ExitCodeText(op.RcCode)}' ({op.RcCode}): call={op.CallId}, status='{ExecStatusText(op.ExecStatus)}'";
        if (!string.IsNullOrEmpty(op.ExitReason))
        {
            line += $", exitreason='{op.ExitReason}'";
        }

        if (op.LastRcChange is { } changed)
        {
            line += $", last-rc-change='{CTime(DateTimeOffset.FromUnixTimeSeconds(changed), zone)}'";
        }

        return line + $", queued=0ms, exec={op.ExecTimeMs ?? 0}ms";
    }

    /// <summary>The C library's ctime layout that crm_mon prints: <c>Thu Jan  1 00:00:00 2026</c>.</summary>
    public static string CTime(DateTimeOffset time, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(time, zone);
        return local.ToString("ddd MMM ", CultureInfo.InvariantCulture)
               + local.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)
               + local.ToString(" HH:mm:ss yyyy", CultureInfo.InvariantCulture);
    }
}
