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

                // rsc_action_digest_cmp: a recorded restart digest that differs forces a restart; otherwise a missing
                // or different digest of all parameters is a change an agent that supports reloads (it recorded a
                // restart digest) applies by reloading.
                var restartChanged = op.RestartDigest is { } recordedRestart
                    && recordedRestart != ConfiguredRestartDigest(rsc, op.Operation, op.ForceRestart ?? string.Empty);
                if (!restartChanged && op.OpDigest is { } recorded && recorded == ExpectedDigest(rsc, op.Operation))
                {
                    continue;
                }

                // A one-off operation with parameters of its own is restarted all the same, so that they are applied
                // and the digests recorded for it are right (calculate_main_digest presets RSC_DIGEST_RESTART).
                var reload = !restartChanged && op.RestartDigest is not null
                    && (op.OpDigest is null || !HasOwnParameters(FindOpConfig(rsc, op.Operation, 0)));
                if (reload)
                {
                    TriggerUnfencing(rsc, node, "Device parameters changed (reload)", null);
                    ReloadResource(rsc, node);
                }
                else
                {
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
                }

                if (GetFailcount(node, rsc, effective: true, out _) > 0)
                {
                    ClearFailcount(rsc, node, "action definition changed");
                }
            }
        }
    }

    /// <summary>
    /// ReloadRsc: an agent reload of <paramref name="rsc"/> on <paramref name="node"/> (a required
    /// <c>reload-agent</c>), unless a required stop or demote of the resource cancels it (see
    /// <see cref="CancelReloads"/>). A failed resource is recovered as usual; one whose start is pending is restarted.
    /// </summary>
    private void ReloadResource(WResource rsc, WNode node)
    {
        if (!rsc.Managed || rsc.Failed)
        {
            return;
        }

        if (rsc.StartPending)
        {
            CustomAction(rsc, "stop", node, optional: false);
            return;
        }

        rsc.Reload = true;
        var known = FindFirstAction(rsc, ReloadTask, node) is not null;
        var reload = CustomAction(rsc, ReloadTask, node, optional: false);
        SetReason(reload, "resource definition change", overwrite: false);
        if (known)
        {
            // A second changed operation of the same resource on the same node: one reload, ordered once.
            return;
        }

        _reloads.Add(reload);
        _orderings.Add(new Ordering(null, ReloadTask, reload, rsc, "stop", null, OrderFlags.Optional | OrderFlags.ThenCancelsFirst));
        _orderings.Add(new Ordering(null, ReloadTask, reload, rsc, "demote", null, OrderFlags.Optional | OrderFlags.ThenCancelsFirst));
    }

    /// <summary>The task of an agent reload (Pacemaker's CRMD_ACTION_RELOAD_AGENT).</summary>
    internal const string ReloadTask = "reload-agent";

    private readonly List<WAction> _reloads = [];

    /// <summary>
    /// pe_order_then_cancels_first, once the flags are final: a required stop or demote of the resource makes its
    /// reload optional (the restart applies the new parameters anyway), and the resource is no longer summarised as
    /// reloaded.
    /// </summary>
    private void CancelReloads()
    {
        foreach (var reload in _reloads)
        {
            foreach (var edge in reload.After)
            {
                if ((edge.Type & OrderFlags.ThenCancelsFirst) != 0 && !edge.Action.Optional)
                {
                    reload.Optional = true;
                    reload.Rsc!.Reload = false;
                }
            }
        }
    }

    /// <summary>
    /// calculate_restart_digest: the digest of the parameters an agent cannot reload, those named in the recorded
    /// <c>op-force-restart</c> (<c>" a b "</c>), taken from the parameters the configuration now gives the operation.
    /// </summary>
    private string ConfiguredRestartDigest(WResource rsc, string task, string forceRestart)
    {
        var key = (rsc, task, forceRestart);
        if (_restartDigests.TryGetValue(key, out var known))
        {
            return known;
        }

        var names = ParameterDigest.RestartNames(forceRestart);
        known = ParameterDigest.Compute(ConfiguredParameters(rsc, task).Where(pair => names.Contains(pair.Key)));
        _restartDigests[key] = known;
        return known;
    }

    private readonly Dictionary<(WResource, string, string), string> _restartDigests = [];

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

        digest = ParameterDigest.Compute(ConfiguredParameters(rsc, task));
        _digests[key] = digest;
        return digest;
    }

    /// <summary>Whether an operation's configuration sets parameters of its own.</summary>
    private static bool HasOwnParameters(Model.Configuration.OperationConfig? op) =>
        op is not null && op.InstanceAttributes.Any(set => set.Pairs.Any(pair => pair.Value is not null));

    /// <summary>The parameters of a one-off operation: the resource's, and those the operation adds.</summary>
    private Dictionary<string, string> ConfiguredParameters(WResource rsc, string task) =>
        OperationParameters(rsc.Parameters, FindOpConfig(rsc, task, 0));

    /// <summary>The parameters an operation runs with: the resource's, and those the operation adds (the resource's win).</summary>
    private static Dictionary<string, string> OperationParameters(Dictionary<string, string> resourceParameters, Model.Configuration.OperationConfig? op)
    {
        var parameters = new Dictionary<string, string>(resourceParameters, StringComparer.Ordinal);
        if (op is not null)
        {
            foreach (var set in op.InstanceAttributes)
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

        return parameters;
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
        var parameters = OperationParameters(resourceParameters, opConfig);
        parameters["CRM_meta_timeout"] = ((long)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ParameterDigest.Compute(parameters);
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
