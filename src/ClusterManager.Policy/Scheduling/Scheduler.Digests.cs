using System.Security.Cryptography;
using System.Text;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy.Scheduling;

// Parameter changes of active resources (pcmk__handle_rsc_config_changes, check_actions_for,
// check_action_definition, rsc_action_digest_cmp; lib/pengine/pe_digest.c for the digest itself).
internal sealed partial class Scheduler
{
    // The unpacked histories that matter here (see UnpackNodeHistory): the resource, the node, its operations
    // sorted, and the entry itself (its agent).
    private readonly List<(WResource Rsc, WNode Node, OperationRecord[] Ops, ResourceHistory Entry)> _histories = [];

    // Every resource with a history, in the order of its first one (see UnpackLrmResource).
    private readonly List<WResource> _historyResources = [];

    // Recurring operations active in the history (resource, node, operation, interval in ms): see ProcessRecurring.
    private readonly HashSet<(WResource Rsc, WNode Node, string Operation, long IntervalMs)> _activeRecurring = [];

    /// <summary>
    /// Pacemaker's operation digest: MD5 over " &lt;parameters a="1" b="2"/&gt;\n" with the parameters sorted by
    /// name. For one-off operations only the resource's parameters and the operation's own count (meta is filtered).
    /// </summary>
    internal static string OperationDigest(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        // Sorted by name with a stable insertion sort: parameter lists are short, and this runs for every resource.
        var sorted = parameters.ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            var item = sorted[i];
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(sorted[j].Key, item.Key) > 0)
            {
                sorted[j + 1] = sorted[j];
                j--;
            }

            sorted[j + 1] = item;
        }

        var text = new StringBuilder(" <parameters", 64);
        foreach (var (name, value) in sorted)
        {
            text.Append(' ').Append(name).Append("=\"").Append(EscapeAttribute(value)).Append('"');
        }

        text.Append("/>\n");
        var chars = text.ToString();
        var length = Encoding.UTF8.GetMaxByteCount(chars.Length);
        var bytes = length <= 1024 ? stackalloc byte[1024] : new byte[length];
        var count = Encoding.UTF8.GetBytes(chars, bytes);
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(bytes[..count], hash);
        return Convert.ToHexStringLower(hash);
    }

    private static string EscapeAttribute(string value) => value
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>
    /// For every resource active on a node, the one-off operations since its last start (start, promote,
    /// migrate_from, probe) are checked against the configuration: a different digest requires a restart
    /// ("resource definition change").
    /// </summary>
    private void CheckConfigurationChanges()
    {
        foreach (var (rsc, node, ops, entry) in _histories)
        {
            CheckAgentChanged(rsc, node, entry);
            CheckHistory(rsc, node, ops);
        }

        // check_action_definition: the operation is required from now on; it has no node until scheduled.
        // Resources in the order of their first history (of all of them, kept or not).
        foreach (var rsc in _historyResources)
        {
            if (rsc.ChangedDefinitions is not { Count: > 0 } changed)
            {
                continue;
            }

            foreach (var task in changed)
            {
                var required = CustomAction(rsc, task, null, optional: false);
                SetReason(required, "resource definition change", overwrite: true);
            }

            changed.Clear();
        }
    }

    private void CheckHistory(WResource rsc, WNode node, OperationRecord[] ops)
    {
        {
            if (rsc.Orphan || !rsc.RunningOn.Contains(node) || rsc.Primitive is null)
            {
                return;
            }

            var (start, stop) = ActiveOps(ops);
            if (start < stop)
            {
                return;
            }

            for (var i = Math.Max(start, 0); i < ops.Length; i++)
            {
                var op = ops[i];
                if (op.Interval > TimeSpan.Zero || op.Operation is not ("monitor" or "start" or "promote" or "migrate_from"))
                {
                    continue;
                }

                if (op.OpDigest is { } recorded && recorded == ExpectedDigest(rsc, op.Operation))
                {
                    continue;
                }

                TriggerUnfencing(rsc, node, "Device parameters changed", null);
                // check_action_definition: a probe's (or migrate_from's) definition is the start's.
                if (op.Operation is "start" or "migrate_from" or "monitor")
                {
                    (rsc.ChangedDefinitions ??= new(StringComparer.Ordinal)).Add("start");
                }
                else if (op.Operation == "promote")
                {
                    (rsc.ChangedDefinitions ??= new(StringComparer.Ordinal)).Add("promote");
                }

                if (GetFailcount(node, rsc, effective: true, out _) > 0)
                {
                    ClearFailcount(rsc, node, "action definition changed");
                }
            }
        }
    }

    private readonly Dictionary<(Model.Configuration.PrimitiveConfig, string), string> _digests = [];

    /// <summary>The digest the configuration gives an operation (parameters of the resource and of the op).</summary>
    private string ExpectedDigest(WResource rsc, string task)
    {
        // Looked up once per history entry: first by the resource itself, as hashing the configuration record
        // (every field, deeply) on each lookup dominates; the answer is the configuration-keyed one either way.
        var quick = (rsc, task);
        if (_digestsByResource.TryGetValue(quick, out var known))
        {
            return known;
        }

        known = ConfiguredDigest(rsc, task);
        _digestsByResource[quick] = known;
        return known;
    }

    private readonly Dictionary<(WResource, string), string> _digestsByResource = [];

    private string ConfiguredDigest(WResource rsc, string task)
    {
        var key = (rsc.Primitive!, task);
        if (_digests.TryGetValue(key, out var digest))
        {
            return digest;
        }

        var parameters = new Dictionary<string, string>(rsc.Parameters, StringComparer.Ordinal);
        if (FindOpConfig(rsc, task, 0) is { } opConfig)
        {
            foreach (var set in opConfig.InstanceAttributes)
            {
                foreach (var pair in set.Pairs)
                {
                    if (pair.Value is not null)
                    {
                        parameters.TryAdd(pair.Name, pair.Value);
                    }
                }
            }
        }

        digest = OperationDigest(parameters);
        _digests[key] = digest;
        return digest;
    }

    /// <summary>
    /// The digest Pacemaker records for a recurring operation (pcmk__filter_op_for_digest): the resource's and the
    /// operation's parameters, and for recurring operations the timeout kept as CRM_meta_timeout (milliseconds).
    /// </summary>
    private string RecurringDigest(WResource rsc, string task, long intervalMs, TimeSpan timeout)
    {
        // The digest depends on the resource's parameters, the operation's and the timeout only: the instances of a
        // clone share all three (their parameters are one dictionary, see CachedParameters).
        var opConfig = FindOpConfig(rsc, task, intervalMs);
        var key = (rsc.Parameters, opConfig, timeout);
        if (_recurringDigests.TryGetValue(key, out var known))
        {
            return known;
        }

        known = RecurringDigest(rsc.Parameters, opConfig, timeout);
        _recurringDigests[key] = known;
        return known;
    }

    private readonly Dictionary<(Dictionary<string, string>, Model.Configuration.OperationConfig?, TimeSpan), string> _recurringDigests = [];

    private static string RecurringDigest(Dictionary<string, string> resourceParameters, Model.Configuration.OperationConfig? opConfig, TimeSpan timeout)
    {
        var parameters = new Dictionary<string, string>(resourceParameters, StringComparer.Ordinal);
        if (opConfig is not null)
        {
            foreach (var pair in opConfig.InstanceAttributes.SelectMany(set => set.Pairs))
            {
                if (pair.Value is not null)
                {
                    parameters.TryAdd(pair.Name, pair.Value);
                }
            }
        }

        parameters["CRM_meta_timeout"] = ((long)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return OperationDigest(parameters);
    }

    /// <summary>calculate_active_ops: the index of the last start (or implied start) and of the last stop.</summary>
    private static (int Start, int Stop) ActiveOps(OperationRecord[] ops)
    {
        int start = -1, stop = -1, impliedMonitor = -1, impliedClone = -1;
        for (var i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            if (op.Operation == "stop" && op.ExecStatus == 0)
            {
                stop = i;
            }
            else if (op.Operation is "start" or "migrate_from")
            {
                start = i;
            }
            else if (impliedMonitor <= stop && op.Operation == "monitor")
            {
                if (op.RcCode is 0 or 8)
                {
                    impliedMonitor = i;
                }
            }
            else if (op.Operation is "promote" or "demote")
            {
                impliedClone = i;
            }
        }

        if (start == -1)
        {
            start = impliedClone != -1 ? impliedClone : impliedMonitor;
        }

        return (start, stop);
    }
}
