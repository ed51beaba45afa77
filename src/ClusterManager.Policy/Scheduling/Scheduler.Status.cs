using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy.Scheduling;

// Status unpacking: Pacemaker's lib/pengine/unpack.c (unpack_node_state, determine_online_status_*,
// unpack_lrm_resource, unpack_rsc_op, process_rsc_state) and failcounts.c.
internal sealed partial class Scheduler
{
    private const int ExecPending = -1;
    private const int ExecDone = 0;
    private const int ExecCancelled = 1;
    private const int ExecTimeout = 2;
    private const int ExecNotSupported = 3;
    private const int ExecError = 4;
    private const int ExecErrorHard = 5;
    private const int ExecErrorFatal = 6;
    private const int ExecNotInstalled = 7;
    private const int ExecNotConnected = 8;
    private const int ExecInvalid = 9;
    private const int ExecNoFenceDevice = 10;
    private const int ExecNoSecrets = 11;

    private readonly Dictionary<WNode, NodeState> _nodeStates = [];

    private void UnpackStatus()
    {
        var dc = _snapshot.Status.DesignatedController?.Value;
        foreach (var node in _nodes)
        {
            node.Attributes["#is_dc"] = node.Name.Value == dc ? "true" : "false";
            node.IsDc = node.Name.Value == dc;
        }

        foreach (var state in _snapshot.Status.Nodes)
        {
            var node = _nodesById.GetValueOrDefault(state.Id) ?? FindNode(state.Name.Value);
            if (node is null || _nodeStates.ContainsKey(node))
            {
                continue;
            }

            _nodeStates[node] = state;
            UnpackNodeState(node, state);
        }

        if (!HaveQuorum && NoQuorum == NoQuorumPolicy.Suicide)
        {
            foreach (var node in _nodes.Where(n => n.Online))
            {
                FenceNode(node, "cluster does not have quorum");
            }
        }

        var histories = 0;
        foreach (var state in _snapshot.Status.Nodes)
        {
            histories = Math.Max(histories, state.Resources.Length);
        }

        _nodeHistories.EnsureCapacity(histories);

        // unpack_node_history: in document order; offline nodes wait for the online ones only when fencing is
        // disabled ("this allows us to number active clone instances first"), and are then ignored.
        foreach (var (node, state) in _snapshot.Status.Nodes.Select(s => (FindStateNode(s), s)))
        {
            if (node is null || node.Unpacked || _nodeStates[node] != state)
            {
                continue;
            }

            if (!node.Online && !StonithEnabled)
            {
                continue;
            }

            node.Unpacked = true;
            UnpackNodeHistory(node, state);
        }

        // Offline nodes' histories count only when fencing is enabled (without it they are ignored).
        foreach (var (node, state) in _snapshot.Status.Nodes.Select(s => (FindStateNode(s), s)))
        {
            if (node is null || node.Unpacked || _nodeStates[node] != state || !StonithEnabled)
            {
                continue;
            }

            node.Unpacked = true;
            UnpackNodeHistory(node, state);
        }

        _statusUnpacked = true;
    }

    /// <summary>Node attributes no longer change (see AttributeGroups).</summary>
    private bool _statusUnpacked;

    private WNode? FindStateNode(NodeState s) => _nodesById.GetValueOrDefault(s.Id) ?? FindNode(s.Name.Value);

    private void UnpackNodeState(WNode node, NodeState state)
    {
        node.HasState = true;
        node.Unclean = false;
        node.Unseen = false;
        foreach (var (k, v) in state.TransientAttributes)
        {
            node.Attributes[k] = v;
        }

        if (IsTrue(node.Attribute("standby")))
        {
            node.Standby = true;
        }

        if (IsTrue(node.Attribute("maintenance")))
        {
            node.Maintenance = true;
        }

        var online = DetermineOnlineStatus(node, state);
        if (online)
        {
            node.Online = true;
        }
        else
        {
            node.Weight = Score.MinusInfinity;
        }

        if (online && node.Shutdown)
        {
            node.Weight = Score.MinusInfinity;
        }
    }

    private bool DetermineOnlineStatus(WNode node, NodeState state)
    {
        node.Shutdown = false;
        node.ExpectedUp = false;
        var shutdown = node.Attribute("shutdown");
        if (shutdown is not null && shutdown != "0")
        {
            node.Shutdown = true;
        }
        else if (string.Equals(state.Expected, "member", StringComparison.OrdinalIgnoreCase))
        {
            node.ExpectedUp = true;
        }

        if (node.RemoteOrPing)
        {
            return false;
        }

        return StonithEnabled ? OnlineWithFencing(node, state) : OnlineWithoutFencing(node, state);
    }

    /// <summary>determine_online_status_fencing (2.1.5): online starts as "in membership"; only some branches change it.</summary>
    private bool OnlineWithFencing(WNode node, NodeState state)
    {
        var terminate = node.Attribute("terminate");
        var doTerminate = IsTrue(terminate)
            || (!string.IsNullOrEmpty(terminate) && terminate[0] != '0' && char.IsDigit(terminate[0]));
        var crmdOnline = state.ControllerOnline == true;
        var inCluster = state.InMembership;
        var join = state.Join;
        var expected = state.Expected ?? "down";
        var online = inCluster == true;

        if (node.Shutdown)
        {
            online = crmdOnline;
        }
        else if (inCluster is null)
        {
            FenceNode(node, "peer has not been seen by the cluster");
        }
        else if (string.Equals(join, "banned", StringComparison.OrdinalIgnoreCase))
        {
            FenceNode(node, "peer failed Pacemaker membership criteria");
        }
        else if (!doTerminate && string.Equals(expected, "down", StringComparison.OrdinalIgnoreCase))
        {
            if (inCluster == true || crmdOnline)
            {
                node.Standby = true;
                node.Pending = true;
            }
        }
        else if (doTerminate && string.Equals(join, "down", StringComparison.OrdinalIgnoreCase) && inCluster != true && !crmdOnline)
        {
            online = false;
        }
        else if (inCluster != true)
        {
            FenceNode(node, "peer is no longer part of the cluster");
        }
        else if (!crmdOnline)
        {
            FenceNode(node, "peer process is no longer available");
        }
        else if (doTerminate)
        {
            FenceNode(node, "termination was requested");
        }
        else if (string.Equals(join, "member", StringComparison.OrdinalIgnoreCase))
        {
            online = true;
        }
        else if (string.Equals(join, "pending", StringComparison.OrdinalIgnoreCase) || string.Equals(join, "down", StringComparison.OrdinalIgnoreCase))
        {
            node.Standby = true;
            node.Pending = true;
        }
        else
        {
            FenceNode(node, "peer was in an unknown state");
        }

        return online;
    }

    private bool OnlineWithoutFencing(WNode node, NodeState state)
    {
        if (state.InMembership != true)
        {
            return false;
        }

        if (state.ControllerOnline == true)
        {
            return string.Equals(state.Join, "member", StringComparison.OrdinalIgnoreCase);
        }

        if (node.ExpectedUp)
        {
            FenceNode(node, "peer is unexpectedly down");
        }

        return false;
    }

    /// <summary>pe_fence_node: marks a node unclean; the first reason is the one its fencing reports.</summary>
    internal void FenceNode(WNode node, string reason)
    {
        if (node.Unclean)
        {
            return;
        }

        node.Unclean = true;
        node.FenceReason ??= reason;

        // pe_fence_op: the (still optional) fencing action exists from the moment the node turns unclean;
        // its creation order is the order the transition summary lists fencing in (reversed).
        EnsureFenceAction(node, reason);
    }

    private void UnpackNodeHistory(WNode node, NodeState state)
    {
        var resources = state.Resources;
        if (_lookupByPosition.Length < resources.Length)
        {
            Array.Resize(ref _lookupByPosition, resources.Length);
        }

        _nodeHasDuplicates = false;
        for (var i = 0; i < resources.Length; i++)
        {
            UnpackLrmResource(node, resources[i], i);
        }

        // Only histories of resources active on this node, or recorded under another agent, can change anything
        // in CheckConfigurationChanges: keep those, in their order. A primitive becomes active on a node only
        // through that node's own histories, all of them unpacked by now, so the choice is final here. When no
        // two of this node's histories name the same resource, whether it was active right after its own history
        // is the same answer, taken while the resource was at hand.
        foreach (var (unpacked, agentDiffers, activeAfterOwn) in _nodeHistories)
        {
            if (_nodeHasDuplicates
                ? agentDiffers || (unpacked.Rsc.HasRunning && unpacked.Rsc.RunningOn.Contains(node))
                : agentDiffers || activeAfterOwn)
            {
                _histories.Add(unpacked);
            }
        }

        _nodeHistories.Clear();
    }

    // The histories of the node being unpacked (see UnpackNodeHistory): whether each names another agent than the
    // configured one, and whether its resource was active on the node right after it; reused for every node.
    private readonly List<((WResource Rsc, WNode Node, OperationRecord[] Ops, ResourceHistory Entry) Unpacked, bool AgentDiffers, bool ActiveAfterOwn)> _nodeHistories = [];

    // Two histories of the node being unpacked resolved to the same resource (WResource.LastHistoryNode).
    private bool _nodeHasDuplicates;

    private static bool AgentDiffers(WResource rsc, ResourceHistory history)
    {
        // Histories of one resource on other nodes usually share their agent strings (a pooling reader's do): the
        // answer for the same three strings is remembered rather than compared with the configuration again.
        var seen = rsc.HistoryAgent;
        if (ReferenceEquals(seen.Class, history.Class) && ReferenceEquals(seen.Provider, history.Provider)
            && ReferenceEquals(seen.Type, history.Type) && seen.Class is not null)
        {
            return seen.Differs;
        }

        var differs = rsc.Primitive is { } configured
            && (history.Class != configured.Class || history.Provider != configured.Provider || history.Type != configured.Type);
        rsc.HistoryAgent = (history.Class, history.Provider, history.Type, differs);
        return differs;
    }

    // ---- one resource's history on one node ------------------------------------------------------------

    private sealed class OpState
    {
        public OperationRecord? LastFailure;
        public OnFail OnFail = OnFail.Ignore;
    }

    private readonly OpState _opState = new();

    // The configured resource each position of the previous node's history list named, with that id string.
    // Nodes list their histories mostly in the same order, and a CIB reader that pools ids (ours does) gives all
    // nodes' entries of one resource the same string: comparing references then replaces most of the 100,000s of
    // id look-ups. An id that found a resource keeps finding the same one (unpacking only adds new ids).
    private (string Id, WResource Rsc)[] _lookupByPosition = [];

    private WResource? FindHistoryResource(string id, int position)
    {
        ref var cached = ref _lookupByPosition[position];
        if (ReferenceEquals(cached.Id, id))
        {
            return cached.Rsc;
        }

        var rsc = FindResource(id);
        if (rsc is not null)
        {
            cached = (id, rsc);
        }

        return rsc;
    }

    private void UnpackLrmResource(WNode node, ResourceHistory history, int position)
    {
        if (history.Operations.IsDefaultOrEmpty)
        {
            return;
        }

        var rsc = UnpackFindResource(node, history.Id.Value, position) ?? CreateOrphan(node, history);
        if (rsc is null)
        {
            return;
        }

        if (rsc.LastHistoryNode == node.Index)
        {
            _nodeHasDuplicates = true;
        }

        rsc.LastHistoryNode = node.Index;
        var savedRole = rsc.Role;
        rsc.Role = ResourceRole.Unknown;
        var ops = SortOps(history.Operations);
        var agentDiffers = AgentDiffers(rsc, history);
        if (!rsc.HasHistory)
        {
            rsc.HasHistory = true;
            _historyResources.Add(rsc);
        }

        if (ops.Length == 1 && IsPlainNotRunningProbe(rsc, ops[0]))
        {
            // By far the most common history (every node probes every resource): one successful probe that found
            // the resource stopped. unpack_rsc_op reduces it to "stopped, next role unknown" with nothing to
            // ignore, and process_recurring has nothing to do for it; the rest is as for any history.
            rsc.Role = ResourceRole.Stopped;
            rsc.NextRole = ResourceRole.Unknown;
            ProcessRscState(rsc, node, OnFail.Ignore);
        }
        else
        {
            // One history at a time: the state is reset, not reallocated, for each of them.
            var st = _opState;
            st.LastFailure = null;
            st.OnFail = OnFail.Ignore;
            foreach (var op in ops)
            {
                UnpackRscOp(rsc, node, op, st);
            }

            ProcessRscState(rsc, node, st.OnFail);
            ProcessRecurring(rsc, node, ops);
        }

        if (rsc.TargetRole is { } req && (rsc.NextRole == ResourceRole.Unknown || req < rsc.NextRole))
        {
            rsc.NextRole = req;
        }

        if (savedRole > rsc.Role)
        {
            rsc.Role = savedRole;
        }

        _nodeHistories.Add(((rsc, node, ops, history), agentDiffers, rsc.HasRunning && rsc.RunningOn.Contains(node)));
    }

    /// <summary>
    /// A completed probe that returned "not running" (7), for a resource without failure-timeout (nothing can
    /// expire) and not recorded as a last failure (nothing to clear): UnpackRscOp's remap makes it a plain stop.
    /// </summary>
    private static bool IsPlainNotRunningProbe(WResource rsc, OperationRecord op) =>
        op.RcCode == 7 && op.ExecStatus == ExecDone && op.Interval == TimeSpan.Zero && rsc.FailureTimeoutSeconds <= 0
        && op.Operation == "monitor" && !op.Id.EndsWith("_last_failure_0", StringComparison.Ordinal);

    /// <summary>
    /// process_recurring (unpack.c): the recurring operations recorded since the resource's last start on an online
    /// node are active; a configured monitor found here stays optional, one missing is scheduled (mandatory), as
    /// after a transition that was aborted between a start and its monitor.
    /// </summary>
    private void ProcessRecurring(WResource rsc, WNode node, OperationRecord[] ops)
    {
        if (!node.Online)
        {
            return;
        }

        var (start, stop) = ActiveOps(ops);
        for (var i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            if ((start < stop && i <= stop) || i < start || op.Interval <= TimeSpan.Zero || op.ExecStatus == -1)
            {
                continue;
            }

            _activeRecurring.Add((rsc, node, op.Operation, (long)op.Interval.TotalMilliseconds));
        }
    }

    /// <summary>sort_op_by_callid: by call id (pending last), equal ids by last-rc-change; stable over reverse document order.</summary>
    private static OperationRecord[] SortOps(System.Collections.Immutable.ImmutableArray<OperationRecord> ops)
    {
        if (ops.Length == 1)
        {
            // Nothing to sort: the history's own (immutable, never written) array.
            return System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(ops)!;
        }

        var list = new OperationRecord[ops.Length];
        for (var i = 0; i < ops.Length; i++)
        {
            list[i] = ops[ops.Length - 1 - i];
        }

        // Insertion sort: stable, and histories are short.
        for (var i = 1; i < list.Length; i++)
        {
            var item = list[i];
            var j = i - 1;
            while (j >= 0 && CompareOps(list[j], item) > 0)
            {
                list[j + 1] = list[j];
                j--;
            }

            list[j + 1] = item;
        }

        return list;
    }

    private static int CompareOps(OperationRecord a, OperationRecord b)
    {
        if (a.Id == b.Id)
        {
            return 0;
        }

        int ca = a.CallId, cb = b.CallId;
        if (ca == -1 && cb == -1)
        {
            return 0;
        }

        if (ca >= 0 && ca < cb)
        {
            return -1;
        }

        if (cb >= 0 && ca > cb)
        {
            return 1;
        }

        if (cb >= 0 && ca == cb)
        {
            long la = a.LastRcChange ?? -1, lb = b.LastRcChange ?? -1;
            if (la >= 0 && la < lb)
            {
                return -1;
            }

            return lb >= 0 && la > lb ? 1 : 0;
        }

        // One is pending: the older transition first (a shutdown's, id -1, last); same or unrelated transitions,
        // the pending one last.
        if (!TransitionOf(a.TransitionKey, out var ua, out var ia) || !TransitionOf(b.TransitionKey, out var ub, out var ib))
        {
            return 0;
        }

        if (!string.Equals(ua, ub, StringComparison.OrdinalIgnoreCase) || ia == ib)
        {
            return cb == -1 ? -1 : ca == -1 ? 1 : 0;
        }

        return (ia >= 0 && ia < ib) || ib == -1 ? -1 : (ib >= 0 && ia > ib) || ia == -1 ? 1 : 0;
    }

    /// <summary>The transition id and TE uuid of a transition key "action:transition:target-rc:uuid".</summary>
    private static bool TransitionOf(string? key, out string uuid, out int transition)
    {
        var parts = key?.Split(':', 4) ?? [];
        uuid = parts.Length == 4 ? parts[3] : "";
        transition = -1;
        return parts.Length == 4 && int.TryParse(parts[1], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out transition);
    }

    private WResource? UnpackFindResource(WNode node, string historyId, int position)
    {
        var rsc = FindHistoryResource(historyId, position);
        WResource? parent = null;
        if (rsc is null)
        {
            var zero = CloneZero(historyId);
            var clone0 = FindResource(zero);
            if (clone0 is not null && !clone0.Unique)
            {
                rsc = clone0;
                parent = clone0.Top;
            }
        }
        else if (rsc.Variant != Variant.Primitive)
        {
            return null;
        }
        else
        {
            parent = rsc.Top;
            if (parent is not { IsClone: true, Unique: false })
            {
                // Found under its own id: nothing to rename.
                return rsc;
            }
        }

        if (parent is { IsClone: true, Unique: false })
        {
            rsc = FindAnonymousClone(node, parent, StripInstance(historyId));
        }

        if (rsc is not null && rsc.Id != historyId && rsc.CloneName != historyId)
        {
            rsc.CloneName = historyId;
        }

        return rsc;
    }

    internal static string StripInstance(string id)
    {
        var colon = id.LastIndexOf(':');
        if (colon <= 0 || colon >= id.Length - 1)
        {
            return id;
        }

        foreach (var c in id.AsSpan(colon + 1))
        {
            if (!char.IsDigit(c))
            {
                return id;
            }
        }

        return id[..colon];
    }

    private static string CloneZero(string id) => StripInstance(id) + ":0";

    private static List<WNode> ActiveLocations(WResource r)
    {
        var result = new List<WNode>();
        foreach (var p in r.Primitives())
        {
            foreach (var n in p.RunningOn)
            {
                if (!result.Contains(n))
                {
                    result.Add(n);
                }
            }

            if (p.PendingNode is { } pn && !result.Contains(pn))
            {
                result.Add(pn);
            }
        }

        return result;
    }

    /// <summary>
    /// ActiveLocations(r).Count, and its first node, without building the list for a primitive (clone instances are
    /// compared hundreds of times per clone while sorting).
    /// </summary>
    private static int ActiveLocationCount(WResource r, out WNode? first)
    {
        if (r.Variant != Variant.Primitive)
        {
            var all = ActiveLocations(r);
            first = all.Count > 0 ? all[0] : null;
            return all.Count;
        }

        first = r.RunningOn.Count > 0 ? r.RunningOn[0] : r.PendingNode;
        return r.RunningOn.Count + (r.PendingNode is { } pn && !r.RunningOn.Contains(pn) ? 1 : 0);
    }

    /// <summary>Whether the resource or anything in it has failed (no iterator for the common primitive).</summary>
    private static bool AnyFailed(WResource r)
    {
        if (r.Failed)
        {
            return true;
        }

        foreach (var child in r.Children)
        {
            if (AnyFailed(child))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first node an instance (or a member of it) is active or pending on, without allocating.</summary>
    private static WNode? FirstActiveLocation(WResource r)
    {
        if (r.Variant == Variant.Primitive)
        {
            return r.RunningOn.Count > 0 ? r.RunningOn[0] : r.PendingNode;
        }

        foreach (var child in r.Children)
        {
            if (FirstActiveLocation(child) is { } n)
            {
                return n;
            }
        }

        return null;
    }

    private static WResource? FindInInstance(WResource instance, string baseId) =>
        instance.Primitives().FirstOrDefault(p => StripInstance(p.Id) == baseId);

    private WResource? FindAnonymousClone(WNode node, WResource parent, string baseId)
    {
        WResource? rsc = null;
        WResource? inactive = null;
        var skipInactive = false;
        foreach (var child in parent.Children)
        {
            if (rsc is not null)
            {
                break;
            }

            var location = FirstActiveLocation(child);
            if (location is not null)
            {
                if (location == node)
                {
                    rsc = FindInInstance(child, baseId);
                    if (rsc is not null && rsc.RunningOn.Count > 0)
                    {
                        skipInactive = true;
                        rsc = null;
                    }
                }
            }
            else if (!skipInactive && inactive is null && !child.Primitives().Any(p => p.Blocked))
            {
                inactive = FindInInstance(child, baseId);
                if (inactive?.PendingNode is { } pn && pn != node)
                {
                    inactive = null;
                }
            }
        }

        if (rsc is null && !skipInactive && inactive is not null)
        {
            rsc = inactive;
        }

        // Instances on unclean nodes of resources that do not need fencing do not use up instance numbers.
        if (rsc is not null && !rsc.NeedsFencing && (!node.Online || node.Unclean) && parent.CloneMax < _nodes.Count)
        {
            rsc = null;
        }

        return rsc ?? CreateAnonymousOrphan(parent, baseId);
    }

    private WResource? CreateAnonymousOrphan(WResource clone, string baseId)
    {
        var cfg = (CloneConfig)clone.Config;
        var instance = clone.Children.Count;
        var child = AddCloneInstance(clone, cfg, [cfg], instance);
        foreach (var p in child.Primitives().Append(child))
        {
            p.Orphan = true;
        }

        return FindInInstance(child, baseId);
    }

    private WResource? CreateOrphan(WNode node, ResourceHistory history)
    {
        var cfg = new PrimitiveConfig(history.Id, history.Class, history.Provider, history.Type, [], [], [], []);
        var existing = FindResource(history.Id.Value);
        if (existing is { Variant: Variant.Primitive })
        {
            return null;
        }

        // The history of a group or clone's id is an orphan primitive of that id (unpack_find_resource: "no longer
        // primitive"); the id keeps naming the configured resource.
        _resourcesById.Remove(history.Id.Value);
        var rsc = BuildResource(cfg, null, [], null);
        if (existing is not null)
        {
            _resourcesById[history.Id.Value] = existing;
        }

        rsc.Orphan = true;
        rsc.DocumentIndex = int.MaxValue - 1;
        _resources.Add(rsc);
        if (!StopOrphanResources)
        {
            rsc.Managed = false;
        }
        else
        {
            ResourceLocation(rsc, null, Score.MinusInfinity);
        }

        return rsc;
    }

    private static bool IsProbe(OperationRecord op) => op.Operation == "monitor" && op.Interval == TimeSpan.Zero;

    private static bool MaskProbeFailure(OperationRecord op) =>
        IsProbe(op) && (op.RcCode == 5 || op.RcCode == 2 || op.ExecStatus == ExecNotInstalled);

    private void UnpackRscOp(WResource rsc, WNode node, OperationRecord op, OpState st)
    {
        var task = op.Operation;
        if (task is "notify" or "meta-data")
        {
            return;
        }

        var rc = op.RcCode switch
        {
            190 => 0,
            191 => 8,
            _ => op.RcCode,
        };
        var status = op.ExecStatus;
        var targetRc = op.ExpectedRc ?? -1;
        var intervalMs = (long)op.Interval.TotalMilliseconds;
        var parent = rsc.Unique ? rsc : rsc.Top;

        var expired = status != ExecNotInstalled && CheckOperationExpiry(rsc, node, rc, op);
        var oldRc = rc;
        RemapOperation(op, rsc, targetRc, ref rc, ref status, st);
        var maskable = MaskProbeFailure(op);

        if (expired && maskable && oldRc != targetRc)
        {
            if (rsc.Role <= ResourceRole.Stopped)
            {
                rsc.Role = ResourceRole.Unknown;
            }

            return;
        }

        if (expired && rc != targetRc)
        {
            // An expired failure is ignored (a recurring one is rescheduled).
            return;
        }

        if (maskable)
        {
            UpdateResourceState(rsc, node, op, task, targetRc, st);
            ResourceLocation(parent, node, Score.MinusInfinity);
            return;
        }

        switch (status)
        {
            case ExecCancelled:
                return;
            case ExecPending:
                if (task == "start")
                {
                    rsc.StartPending = true;
                    SetActive(rsc);
                }
                else if (task == "promote")
                {
                    rsc.Role = ResourceRole.Promoted;
                }
                else if (task == "migrate_to")
                {
                    PendingMigrateToOnUncleanNode(rsc, node, op);
                }

                if (rsc.PendingTask is null && (intervalMs != 0 || task != "monitor"))
                {
                    rsc.PendingTask = task;
                    rsc.PendingNode = node;
                }

                return;
            case ExecDone:
                UpdateResourceState(rsc, node, op, task, rc, st);
                return;
            case ExecNotInstalled:
                if (ActionOnFail(rsc, task, intervalMs).OnFail == OnFail.Ignore)
                {
                    st.OnFail = OnFail.Migrate;
                }

                ResourceLocation(parent, node, Score.MinusInfinity);
                UnpackRscOpFailure(rsc, node, rc, op, st);
                return;
            case ExecNoFenceDevice or ExecNoSecrets:
                status = ExecErrorHard;
                break;
        }

        var (strategy, _) = ActionOnFail(rsc, task, intervalMs);
        if (strategy == OnFail.Ignore || (strategy == OnFail.RestartContainer && task == "stop"))
        {
            UpdateResourceState(rsc, node, op, task, targetRc, st);
            rsc.FailureIgnored = true;
            return;
        }

        UnpackRscOpFailure(rsc, node, rc, op, st);
        if (status == ExecErrorHard)
        {
            ResourceLocation(parent, node, Score.MinusInfinity);
        }
        else if (status == ExecErrorFatal)
        {
            ResourceLocation(parent, null, Score.MinusInfinity);
        }
    }

    private void RemapOperation(OperationRecord op, WResource rsc, int targetRc, ref int rc, ref int status, OpState st)
    {
        var isProbe = IsProbe(op);
        if (status != ExecDone && status != ExecError)
        {
            return;
        }

        status = ExecDone;
        if (targetRc < 0 || targetRc != rc)
        {
            status = ExecError;
        }

        switch (rc)
        {
            case 0:
                if (isProbe && targetRc == 7)
                {
                    status = ExecDone;
                }

                break;
            case 7:
                if (isProbe || targetRc == rc || !rsc.Managed)
                {
                    status = ExecDone;
                    rsc.Role = ResourceRole.Stopped;
                    st.OnFail = OnFail.Ignore;
                    rsc.NextRole = ResourceRole.Unknown;
                }

                break;
            case 8:
                if (isProbe && rc != targetRc)
                {
                    status = ExecDone;
                }

                rsc.Role = ResourceRole.Promoted;
                break;
            case 9:
                rsc.Role = ResourceRole.Promoted;
                status = ExecError;
                break;
            case 6:
                status = ExecErrorFatal;
                break;
            case 3:
                status = op.Interval == TimeSpan.Zero ? ExecErrorHard : ExecNotSupported;
                break;
            case 5 or 2 or 4:
                status = ExecErrorHard;
                break;
            default:
                if (status == ExecDone)
                {
                    status = ExecError;
                }

                break;
        }
    }

    private void SetActive(WResource rsc) =>
        rsc.Role = rsc.Top.Promotable ? ResourceRole.Unpromoted : ResourceRole.Started;

    private void UpdateResourceState(WResource rsc, WNode node, OperationRecord op, string task, int rc, OpState st)
    {
        var clearPastFailure = false;
        if (rc == 5 || MaskProbeFailure(op))
        {
            rsc.Role = ResourceRole.Stopped;
        }
        else if (rc == 7)
        {
            clearPastFailure = true;
        }
        else if (task == "monitor")
        {
            if (st.LastFailure is { } lf && lf.OperationKey == op.OperationKey)
            {
                clearPastFailure = true;
            }

            if (rsc.Role < ResourceRole.Started)
            {
                SetActive(rsc);
            }
        }
        else if (task == "start")
        {
            rsc.Role = ResourceRole.Started;
            clearPastFailure = true;
        }
        else if (task == "stop")
        {
            rsc.Role = ResourceRole.Stopped;
            clearPastFailure = true;
        }
        else if (task == "promote")
        {
            rsc.Role = ResourceRole.Promoted;
            clearPastFailure = true;
        }
        else if (task == "demote")
        {
            if (st.OnFail == OnFail.Demote)
            {
                clearPastFailure = true;
            }

            rsc.Role = ResourceRole.Unpromoted;
        }
        else if (task == "migrate_from")
        {
            rsc.Role = ResourceRole.Started;
            clearPastFailure = true;
        }
        else if (task == "migrate_to")
        {
            UnpackMigrateToSuccess(rsc, node, op);
        }
        else if (rsc.Role < ResourceRole.Started)
        {
            SetActive(rsc);
        }

        if (clearPastFailure)
        {
            switch (st.OnFail)
            {
                case OnFail.Stop or OnFail.Fence or OnFail.Migrate or OnFail.Standby:
                    break;
                default:
                    st.OnFail = OnFail.Ignore;
                    rsc.NextRole = ResourceRole.Unknown;
                    break;
            }
        }
    }

    private void UnpackRscOpFailure(WResource rsc, WNode node, int rc, OperationRecord op, OpState st)
    {
        var task = op.Operation;
        st.LastFailure = op;
        var (onFail, failRole) = ActionOnFail(rsc, task, (long)op.Interval.TotalMilliseconds);
        if (OnFailRank(st.OnFail) < OnFailRank(onFail))
        {
            st.OnFail = onFail;
        }

        switch (task)
        {
            case "stop":
                ResourceLocation(rsc, node, Score.MinusInfinity);
                break;
            case "migrate_to":
                UnpackMigrateToFailure(rsc, node, op);
                break;
            case "migrate_from":
                UnpackMigrateFromFailure(rsc, node, op);
                break;
            case "promote":
                rsc.Role = ResourceRole.Promoted;
                break;
            case "demote":
                if (onFail == OnFail.Block)
                {
                    rsc.Role = ResourceRole.Promoted;
                    rsc.NextRole = ResourceRole.Stopped;
                }
                else if (rc == 7)
                {
                    rsc.Role = ResourceRole.Stopped;
                }
                else
                {
                    rsc.Role = ResourceRole.Unpromoted;
                }

                break;
        }

        if (IsProbe(op) && rc == 5)
        {
            rsc.Role = ResourceRole.Stopped;
        }
        else if (rsc.Role < ResourceRole.Started)
        {
            SetActive(rsc);
        }

        if (failRole != ResourceRole.Started && rsc.NextRole < failRole)
        {
            rsc.NextRole = failRole;
        }

        if (failRole == ResourceRole.Stopped)
        {
            var failRsc = rsc;
            if (rsc.Parent is not null && rsc.Top is { IsClone: true, Unique: false } top)
            {
                failRsc = top;
            }

            SetAllNodes(failRsc, Score.MinusInfinity);
        }
    }

    private void SetAllNodes(WResource rsc, Score score)
    {
        rsc.Allowed = NewTable();
        foreach (var n in _nodes)
        {
            rsc.Allowed[n.Index] = score;
        }
    }

    /// <summary>The on-fail ladder with Pacemaker's special places for demote, reset-remote and restart-container.</summary>
    internal static int OnFailRank(OnFail f) => f switch
    {
        OnFail.Ignore => 0,
        OnFail.Demote => 1,
        OnFail.Recover => 2,
        OnFail.ResetRemote => 3,
        OnFail.RestartContainer => 4,
        OnFail.Migrate => 5,
        OnFail.Block => 6,
        OnFail.Stop => 7,
        OnFail.Standby => 8,
        OnFail.Fence => 9,
        _ => 0,
    };

    /// <summary>
    /// find_rsc_op_entry: the configured operation with this name and interval. Disabled operations count only
    /// with <paramref name="includeDisabled"/>, as for an action's own settings (new_action looks them up with
    /// include_disabled, so a disabled monitor's on-fail still governs its recorded failures).
    /// </summary>
    internal OperationConfig? FindOpConfig(WResource rsc, string task, long intervalMs, bool includeDisabled = false)
    {
        if (rsc.Primitive is not { } p)
        {
            return null;
        }

        foreach (var op in p.Operations)
        {
            if (!op.Enabled && !includeDisabled)
            {
                continue;
            }

            if (op.Name == task && (long)op.Interval.TotalMilliseconds == intervalMs)
            {
                return op;
            }
        }

        return null;
    }

    private string? OpSetting(OperationConfig? op, string name)
    {
        if (op is not null)
        {
            if (name == "on-fail" && op.OnFail is not null)
            {
                return op.OnFail;
            }

            if (op.Extra.TryGetValue(name, out var v))
            {
                return v;
            }

            foreach (var set in op.Meta)
            {
                foreach (var pair in set.Pairs)
                {
                    if (pair.Name == name && pair.Value is not null)
                    {
                        return pair.Value;
                    }
                }
            }
        }

        return _opDefaults.GetValueOrDefault(name);
    }

    /// <summary>The failure response and role after failure for an operation (unpack_operation).</summary>
    internal (OnFail OnFail, ResourceRole FailRole) ActionOnFail(WResource rsc, string task, long intervalMs)
    {
        var op = FindOpConfig(rsc, task, intervalMs, includeDisabled: true);
        var value = OpSetting(op, "on-fail");
        var failRole = ResourceRole.Unknown;
        OnFail? result = value?.ToLowerInvariant() switch
        {
            "block" => OnFail.Block,
            "fence" => OnFail.Fence,
            "standby" => OnFail.Standby,
            "ignore" or "nothing" => OnFail.Ignore,
            "migrate" => OnFail.Migrate,
            "stop" => OnFail.Stop,
            "restart" => OnFail.Recover,
            "demote" => OnFail.Demote,
            _ => null,
        };
        if (result == OnFail.Fence && !StonithEnabled)
        {
            result = OnFail.Stop;
        }

        if (result == OnFail.Stop)
        {
            failRole = ResourceRole.Stopped;
        }

        result ??= task == "stop" ? (StonithEnabled ? OnFail.Fence : OnFail.Block) : OnFail.Recover;
        if (failRole == ResourceRole.Unknown)
        {
            failRole = task == "promote" ? ResourceRole.Unpromoted : ResourceRole.Started;
        }

        return (result.Value, failRole);
    }

    private void ProcessRscState(WResource rsc, WNode node, OnFail onFail)
    {
        if (rsc.Role != ResourceRole.Unknown)
        {
            for (var iter = rsc; iter is not null; iter = iter.Parent)
            {
                iter.KnownOn.Add(node.Index);
                if (iter.Unique)
                {
                    break;
                }
            }
        }

        if (rsc.Role > ResourceRole.Stopped && !node.Online && !node.Maintenance && rsc.Managed && StonithEnabled)
        {
            FenceNode(node, $"{rsc.Id} is thought to be active there");
        }

        var saved = onFail;
        if (node.Unclean)
        {
            onFail = OnFail.Ignore;
        }

        switch (onFail)
        {
            case OnFail.Demote:
                rsc.Failed = true;
                DemoteAction(rsc, node, optional: false);
                break;
            case OnFail.Fence:
                FenceNode(node, $"{rsc.Id} failed there");
                break;
            case OnFail.Standby:
                node.Standby = true;
                node.StandbyOnFail = true;
                break;
            case OnFail.Block:
                rsc.Managed = false;
                rsc.Blocked = true;
                break;
            case OnFail.Migrate:
                ResourceLocation(rsc, node, Score.MinusInfinity);
                break;
            case OnFail.Stop:
                rsc.NextRole = ResourceRole.Stopped;
                break;
            case OnFail.Recover:
                if (rsc.Role != ResourceRole.Stopped && rsc.Role != ResourceRole.Unknown)
                {
                    rsc.Failed = true;
                    rsc.StopFlag = true;
                    StopAction(rsc, node, optional: false);
                }

                break;
        }

        if (rsc.Role != ResourceRole.Stopped && rsc.Role != ResourceRole.Unknown)
        {
            AddRunning(rsc, node, saved != OnFail.Ignore);
            switch (onFail)
            {
                case OnFail.Ignore:
                    break;
                case OnFail.Demote or OnFail.Block:
                    rsc.Failed = true;
                    break;
                default:
                    rsc.Failed = true;
                    rsc.StopFlag = true;
                    break;
            }
        }
        else if (rsc.CloneName is { } cn && cn.Contains(':', StringComparison.Ordinal))
        {
            rsc.CloneName = null;
        }
        else if (rsc.HasActions)
        {
            foreach (var action in rsc.Actions)
            {
                if (action.Task == "stop" && action.Node == node)
                {
                    action.Optional = true;
                }
            }
        }

        // A stop on the source after a migrate_to does not stop the resource on the target of the partial migration.
        if (rsc.Role == ResourceRole.Stopped && rsc.PartialMigrationSource == node && rsc.PartialMigrationTarget is not null
            && rsc.RunningOn.Count > 0)
        {
            rsc.Role = ResourceRole.Started;
        }
    }

    /// <summary>native_add_running.</summary>
    private void AddRunning(WResource rsc, WNode node, bool failed)
    {
        if (rsc.RunningOn.Contains(node))
        {
            return;
        }

        rsc.RunningOn.Add(node);
        rsc.HasRunning = true;
        if (rsc.Variant == Variant.Primitive)
        {
            node.Running.Add(rsc);
            if (node.Maintenance)
            {
                rsc.Managed = false;
                rsc.MaintenanceFlag = true;
            }
        }

        if (!rsc.Managed)
        {
            ResourceLocation(rsc, node, Score.Infinity);
            for (var p = rsc.Parent; p is not null && node.Online; p = p.Parent)
            {
                p.RunningOn.Add(node);
                p.HasRunning = true;
            }

            return;
        }

        if (rsc.RunningOn.Count > 1)
        {
            switch (rsc.Recovery)
            {
                case MultipleActive.StopOnly:
                    SetAllNodes(rsc, Score.MinusInfinity);
                    break;
                case MultipleActive.Block:
                    rsc.Managed = false;
                    rsc.Blocked = true;
                    if (rsc.Parent is { Variant: Variant.Group, Recovery: MultipleActive.Block } g)
                    {
                        foreach (var child in g.Children)
                        {
                            child.Managed = false;
                            child.Blocked = true;
                        }
                    }

                    break;
            }
        }

        if (rsc.Parent is not null)
        {
            AddRunning(rsc.Parent, node, false);
        }

        _ = failed;
    }

    // ---- fail counts ------------------------------------------------------------------------------------

    /// <summary>
    /// A node's fail-count and last-failure attributes, indexed by the resource part of their names (which is
    /// what Pacemaker's regular expressions match): most nodes have none, so most look-ups cost nothing.
    /// </summary>
    private sealed class FailIndex
    {
        public readonly Dictionary<string, List<(string Rsc, string Value, bool LastFailure)>> ByBaseName = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<WNode, FailIndex?> _failIndex = [];

    private FailIndex? FailAttributes(WNode node)
    {
        if (_failIndex.TryGetValue(node, out var index))
        {
            return index;
        }

        foreach (var (key, value) in node.Attributes)
        {
            var last = key.StartsWith("last-failure-", StringComparison.Ordinal);
            if (!last && !key.StartsWith("fail-count-", StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key[(last ? "last-failure-".Length : "fail-count-".Length)..];
            string rscPart;
            if (LegacyFailcounts)
            {
                rscPart = rest;
            }
            else
            {
                // RSC#OPERATION_INTERVAL: the operation part is ".+_[0-9]+".
                var hash = rest.IndexOf('#', StringComparison.Ordinal);
                if (hash <= 0 || !IsOperationSuffix(rest.AsSpan(hash + 1)))
                {
                    continue;
                }

                rscPart = rest[..hash];
            }

            index ??= new FailIndex();
            var baseName = StripInstance(rscPart);
            if (!index.ByBaseName.TryGetValue(baseName, out var list))
            {
                list = [];
                index.ByBaseName[baseName] = list;
            }

            list.Add((rscPart, value, last));
        }

        _failIndex[node] = index;
        return index;
    }

    private static bool IsOperationSuffix(ReadOnlySpan<char> op)
    {
        var underscore = op.LastIndexOf('_');
        if (underscore <= 0 || underscore == op.Length - 1)
        {
            return false;
        }

        foreach (var c in op[(underscore + 1)..])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>pe_get_failcount: the sum of the fail-count attributes of a resource on a node.</summary>
    internal int GetFailcount(WNode node, WResource rsc, bool effective, out long lastFailure, OperationRecord? op = null)
    {
        lastFailure = 0;
        if (FailAttributes(node) is not { } index)
        {
            return 0;
        }

        var name = rsc.Unique ? rsc.Id : StripInstance(rsc.Id);
        if (rsc.CloneName is { } cn && !rsc.Unique)
        {
            name = StripInstance(cn);
        }

        if (!index.ByBaseName.TryGetValue(StripInstance(name), out var entries))
        {
            return 0;
        }

        var count = Score.Zero;
        foreach (var (rscPart, value, last) in entries)
        {
            // Globally unique: the exact id; otherwise the name with an optional instance number.
            var matches = rsc.Unique ? rscPart == name : rscPart == name || StripInstance(rscPart) == name && rscPart.Length > name.Length;
            if (!matches)
            {
                continue;
            }

            if (last)
            {
                if (long.TryParse(value, out var lf) && lf > lastFailure)
                {
                    lastFailure = lf;
                }
            }
            else
            {
                count += new Score(ParseScore(value, 0));
            }
        }

        if (effective && count.Value > 0 && rsc.FailureTimeoutSeconds > 0 && !BlockFailure(rsc, node, op)
            && NowEpoch > lastFailure + rsc.FailureTimeoutSeconds)
        {
            return 0;
        }

        return count.Value;
    }

    /// <summary>
    /// block_failure: a failure of an operation configured on-fail=block never times out. The failure is the
    /// history entry given (is_matched_failure), or else any failed entry of such an operation on the node.
    /// </summary>
    private bool BlockFailure(WResource rsc, WNode node, OperationRecord? op)
    {
        var name = StripInstance(rsc.Id);
        foreach (var conf in rsc.Primitive?.Operations ?? [])
        {
            if (!string.Equals(OpSetting(conf, "on-fail"), "block", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var key = $"{name}_{conf.Name}_{(long)conf.Interval.TotalMilliseconds}";
            var history = op is not null ? [op] : _snapshot.Status.Nodes.Where(s => s.Name == node.Name)
                .SelectMany(s => s.Resources).Where(h => h.Id.Value == name).SelectMany(h => h.Operations);
            if (history.Any(h => h.Operation == conf.Name && h.Interval == conf.Interval
                && (string.Equals(h.Id, $"{name}_last_failure_0", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(h.Id, key, StringComparison.OrdinalIgnoreCase) && h.RcCode != (h.ExpectedRc ?? -1))))
            {
                return true;
            }
        }

        return false;
    }

    private bool CheckOperationExpiry(WResource rsc, WNode node, int rc, OperationRecord op)
    {
        var expired = false;
        var isLastFailure = op.Id.EndsWith("_last_failure_0", StringComparison.Ordinal);
        var unexpiredFailcount = 0;
        if (rsc.FailureTimeoutSeconds > 0 && op.LastRcChange is { } lastRun)
        {
            if (NowEpoch >= lastRun + rsc.FailureTimeoutSeconds)
            {
                expired = true;
            }

            unexpiredFailcount = GetFailcount(node, rsc, effective: true, out _, op);
        }

        if (expired)
        {
            if (GetFailcount(node, rsc, effective: false, out _, op) > 0)
            {
                if (unexpiredFailcount == 0)
                {
                    ClearFailcount(rsc, node, "it expired");
                }
                else
                {
                    expired = false;
                }
            }
        }

        // should_clear_for_param_change: a failure recorded under other parameters no longer counts against them.
        if (!expired && isLastFailure && ParametersChangedSince(rsc, op))
        {
            ClearFailcount(rsc, node, "resource parameters have changed");
        }

        if (expired && op.Interval == TimeSpan.Zero && op.Operation == "monitor" && rc is 0 or 7 or 8 or 190 or 191)
        {
            expired = false;
        }

        return expired;
    }

    /// <summary>
    /// rsc_action_digest_cmp for a start or monitor in the history: true when its recorded digest differs from
    /// the one the configuration gives it now (false when no digest was recorded: unknown).
    /// </summary>
    private bool ParametersChangedSince(WResource rsc, OperationRecord op)
    {
        if (op.Operation is not ("start" or "monitor") || op.OpDigest is not { } recorded || rsc.Primitive is null)
        {
            return false;
        }

        var intervalMs = (long)op.Interval.TotalMilliseconds;
        if (intervalMs == 0)
        {
            return recorded != ExpectedDigest(rsc, op.Operation);
        }

        var timeout = OperationTimeout(FindOpConfig(rsc, op.Operation, intervalMs));
        return recorded != RecurringDigest(rsc, op.Operation, intervalMs, timeout);
    }
}
