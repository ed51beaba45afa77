using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Policy.Scheduling;

// The scheduler's working state for one Compute call. It is created, mutated and discarded inside that call
// (nothing is shared between calls), which keeps the public function pure while letting the phases mirror
// Pacemaker's scheduler step for step: exact agreement with its regression cases depends on that.

internal enum Variant
{
    Primitive = 0,
    Group = 1,
    Clone = 2,
}

/// <summary>Pacemaker's on-fail responses, compared with Scheduler.OnFailRank.</summary>
internal enum OnFail
{
    Ignore,
    Recover,
    Migrate,
    Block,
    Stop,
    Standby,
    Fence,
    RestartContainer,
    ResetRemote,
    Demote,
}

internal enum MultipleActive
{
    StopStart,
    StopOnly,
    Block,
    StopUnexpected,
}

internal enum Requirement
{
    Nothing,
    Quorum,
    Fencing,
}

internal enum NoQuorumPolicy
{
    Stop,
    Freeze,
    Ignore,
    Demote,
    Suicide,
}

[Flags]
internal enum OrderFlags
{
    None = 0,
    Optional = 1 << 0,
    ImpliesThen = 1 << 1,
    ImpliesFirst = 1 << 2,
    RunnableLeft = 1 << 3,
    Restart = 1 << 4,
    Asymmetrical = 1 << 5,
    OneOrMore = 1 << 6,
    SameNode = 1 << 7,
    Probe = 1 << 8,
    ThenCancelsFirst = 1 << 9,
    Serialize = 1 << 10,
    ImpliesFirstPromoted = 1 << 11,
    Preserve = 1 << 12,
    AntiColocation = 1 << 13,
    ImpliesThenPrinted = 1 << 14,
    ImpliesFirstPrinted = 1 << 15,
    ImpliesFirstMigratable = 1 << 16,
    PseudoLeft = 1 << 17,
    ApplyFirstNonMigratable = 1 << 18,
}

internal sealed class WNode(NodeName name, string id, int index)
{
    public NodeName Name { get; } = name;
    public string Id { get; } = id;
    public int Index { get; } = index;
    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> Utilization { get; } = new(StringComparer.Ordinal);

    /// <summary>The node's base weight (its configured score; -INFINITY once known offline or shutting down).</summary>
    public Score Weight { get; set; }
    public bool Online { get; set; }
    public bool Unclean { get; set; }
    public bool Unseen { get; set; } = true;
    public bool Standby { get; set; }
    public bool StandbyOnFail { get; set; }
    public bool Pending { get; set; }
    public bool Maintenance { get; set; }
    public bool Shutdown { get; set; }
    public bool ExpectedUp { get; set; }
    public bool IsDc { get; set; }
    public bool HasState { get; set; }
    public bool Fenced { get; set; }
    public bool Unpacked { get; set; }
    public bool RemoteOrPing { get; set; }
    public string? FenceReason { get; set; }

    /// <summary>Resources assigned here in this run (Pacemaker's num_resources).</summary>
    public int AssignedCount { get; set; }
    public List<WResource> Running { get; } = [];

    public bool CanRunResources => Online && !Shutdown && !Unclean && !Standby && !Maintenance;

    public string? Attribute(string name) => Attributes.GetValueOrDefault(name);

    public override string ToString() => Name.Value;

    // Identity equality; the index (unique within a run) as hash code, cheaper than the runtime's object hash.
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => Index;
}

internal sealed class WResource(string id, Variant variant, ResourceConfig config, WResource? parent)
{
    private static readonly Dictionary<string, string> NoValues = new(StringComparer.Ordinal);

    public string Id { get; } = id;
    public Variant Variant { get; } = variant;
    public ResourceConfig Config { get; } = config;
    public WResource? Parent { get; } = parent;
    public List<WResource> Children { get; } = [];
    public int DocumentIndex { get; set; }

    public PrimitiveConfig? Primitive => Config as PrimitiveConfig;
    // Both are set when the resource is built (Scheduler.BuildResource); groups and clones keep no parameters.
    public Dictionary<string, string> Meta { get; set; } = NoValues;
    public Dictionary<string, string> Parameters { get; set; } = NoValues;

    // Flags (Pacemaker's pe_rsc_*).
    public bool Managed { get; set; } = true;
    public bool Failed { get; set; }
    public bool StopFlag { get; set; }
    public bool Blocked { get; set; }
    public bool Orphan { get; set; }
    public bool FailureIgnored { get; set; }
    public bool Provisional { get; set; } = true;
    public bool Allocating { get; set; }
    public bool Merging { get; set; }
    public bool Unique { get; set; }
    public bool Promotable { get; set; }
    public bool StartPending { get; set; }
    public bool MaintenanceFlag { get; set; }
    public bool Critical { get; set; } = true;
    public bool NeedsFencing { get; set; }
    public bool NeedsQuorum { get; set; }
    public bool StopUnexpected { get; set; }
    public bool IsFenceDevice { get; set; }
    public bool ExclusiveDiscover { get; set; }
    public bool Reload { get; set; }

    /// <summary>allow-migrate (pe_rsc_allow_migrate): a move may be a live migration.</summary>
    public bool AllowMigrate { get; set; }

    /// <summary>A migration whose migrate_to is done but whose migrate_from is not (Scheduler.UnpackMigrateToSuccess).</summary>
    public WNode? PartialMigrationSource { get; set; }
    public WNode? PartialMigrationTarget { get; set; }

    /// <summary>Sources of migrations that completed without the stop on the source (to be stopped there).</summary>
    public List<WNode>? DanglingMigrations { get; set; }

    /// <summary>Probes ordered before this resource's start (Scheduler.ProbeOn), until their edges are made.</summary>
    public int ProbesBeforeStart { get; set; }

    /// <summary>Some node's history names this resource (Scheduler.UnpackLrmResource).</summary>
    public bool HasHistory { get; set; }

    /// <summary>Tasks whose definition changed since recorded (Scheduler.CheckHistory); created for the few that have any.</summary>
    public SortedSet<string>? ChangedDefinitions { get; set; }

    public ResourceRole Role { get; set; } = ResourceRole.Stopped;
    public ResourceRole NextRole { get; set; } = ResourceRole.Unknown;
    public ResourceRole? TargetRole { get; set; }
    public List<WNode> RunningOn { get; } = [];
    // A field, not a property: the set is a struct updated in place (Scheduler.ProcessRscState), with no object
    // of its own to reach for each of the 100,000s of histories.
#pragma warning disable SA1401 // Fields should be private
    public NodeSet KnownOn;
#pragma warning restore SA1401
    public Score?[] Allowed { get; set; } = [];
    /// <summary>Per node: 0 always probe, 1 never, 2 exclusive (resource-discovery); null while all are 0.</summary>
    public int[]? DiscoverMode { get; set; }

    public int DiscoverModeOn(int nodeIndex) => DiscoverMode is { } modes ? modes[nodeIndex] : 0;
    public WNode? AllocatedTo { get; set; }
    public WNode? PendingNode { get; set; }
    public string? PendingTask { get; set; }
    public string? CloneName { get; set; }

    public int Priority { get; set; }
    public int Stickiness { get; set; }
    public int MigrationThreshold { get; set; } = Score.InfinityValue;
    public long FailureTimeoutSeconds { get; set; }
    public MultipleActive Recovery { get; set; } = MultipleActive.StopStart;

    public List<Coloc> ThisWith { get; set; } = [];
    public List<Coloc> WithThis { get; set; } = [];
    public List<WAction> Actions { get; } = [];
    public List<Location> Locations { get; } = [];

    // Actions grouped by task, each group in creation order (the order of Actions): a resource has a handful of
    // tasks but, with probes, up to one action per node, and orderings look actions up by task.
    private TaskActions[] _byTask = [];

    private static readonly List<WAction> NoActions = [];

    // A task's actions; past a few of them, the one-off (interval 0) actions by node index as well: CustomAction
    // looks an action up by (task, interval, node) for every probe, one per resource and node.
    private sealed class TaskActions(string task, List<WAction> list)
    {
        public string Task { get; } = task;
        public List<WAction> List { get; } = list;
        public WAction?[]? OneOffByNode { get; set; }

        /// <summary>How many of the actions are not on a node yet (most resources have none).</summary>
        public int Unassigned { get; set; }
    }

    private const int NodeIndexThreshold = 8;

    private TaskActions? TaskEntry(string task)
    {
        foreach (var entry in _byTask)
        {
            if (entry.Task == task)
            {
                return entry;
            }
        }

        return null;
    }

    private TaskActions AddTask(string task, List<WAction> list)
    {
        var entry = new TaskActions(task, list);
        Array.Resize(ref _byTask, _byTask.Length + 1);
        _byTask[^1] = entry;
        return entry;
    }

    /// <summary>Actions has entries (read without reaching the list, as status unpacking does for every history).</summary>
    public bool HasActions { get; private set; }

    /// <summary>The index of the node whose history named this resource last (Scheduler.UnpackLrmResource), or -1.</summary>
    public int LastHistoryNode { get; set; } = -1;

    /// <summary>RunningOn has entries (it only grows).</summary>
    public bool HasRunning { get; set; }

    /// <summary>The agent of the last history compared with the configured one, and whether the two differed.</summary>
    public (string? Class, string? Provider, string? Type, bool Differs) HistoryAgent { get; set; }

    public void AddAction(WAction action)
    {
        Actions.Add(action);
        HasActions = true;
        var entry = TaskEntry(action.Task) ?? AddTask(action.Task, []);
        entry.List.Add(action);
        if (action.Node is null)
        {
            entry.Unassigned++;
        }

        if (entry.OneOffByNode is not null)
        {
            IndexByNode(entry, action);
        }
        else if (entry.List.Count > NodeIndexThreshold)
        {
            foreach (var a in entry.List)
            {
                IndexByNode(entry, a);
            }
        }
    }

    private void IndexByNode(TaskActions entry, WAction action)
    {
        if (action.IntervalMs != 0 || action.Node is not { } node)
        {
            return;
        }

        // Sized for every node at once (the score table has one entry per node).
        var table = entry.OneOffByNode ?? new WAction?[Allowed.Length];
        if (node.Index >= table.Length)
        {
            Array.Resize(ref table, Math.Max(node.Index + 1, table.Length * 2));
        }

        // One action per (task, interval, node): CustomAction finds an existing one before it makes another.
        table[node.Index] ??= action;
        entry.OneOffByNode = table;
    }

    /// <summary>An action of this resource without a node was given <paramref name="action"/>'s node (find_actions).</summary>
    public void NodeAssigned(WAction action)
    {
        var entry = TaskEntry(action.Task)!;
        entry.Unassigned--;
        if (entry.OneOffByNode is not null)
        {
            IndexByNode(entry, action);
        }
    }

    /// <summary>
    /// The action with this task, interval and node (null: not yet on a node), if there is one: there is at most
    /// one, as actions of a resource are only made through Scheduler.CustomAction, which looks first.
    /// </summary>
    public WAction? FindAction(string task, long intervalMs, WNode? node)
    {
        if (TaskEntry(task) is not { } entry)
        {
            return null;
        }

        if (node is null && entry.Unassigned == 0)
        {
            return null;
        }

        if (intervalMs == 0 && node is not null && entry.OneOffByNode is { } table)
        {
            return node.Index < table.Length ? table[node.Index] : null;
        }

        foreach (var a in entry.List)
        {
            if (a.IntervalMs == intervalMs && a.Node == node)
            {
                return a;
            }
        }

        return null;
    }

    /// <summary>Makes room for <paramref name="count"/> more actions with this task (a resource's probes, one per node).</summary>
    public void ReserveActions(string task, int count)
    {
        Actions.EnsureCapacity(Actions.Count + count);
        if (TaskEntry(task) is { } entry)
        {
            entry.List.EnsureCapacity(entry.List.Count + count);
            return;
        }

        AddTask(task, new List<WAction>(count));
    }

    // The execution details of the resource's actions, by task, interval and probe (Scheduler.DetailOf).
    private (string Task, long IntervalMs, bool Probe, ActionDetail Detail)[] _details = [];

    public ActionDetail? FindDetail(string task, long intervalMs, bool probe)
    {
        foreach (var d in _details)
        {
            if (d.IntervalMs == intervalMs && d.Probe == probe && d.Task == task)
            {
                return d.Detail;
            }
        }

        return null;
    }

    public void AddDetail(string task, long intervalMs, bool probe, ActionDetail detail)
    {
        Array.Resize(ref _details, _details.Length + 1);
        _details[^1] = (task, intervalMs, probe, detail);
    }

    // Operation keys already made: a resource's probes (one per node) all share the key of a 0 s monitor.
    private (string Task, long IntervalMs, string Key)[] _keys = [];

    /// <summary>The operation key RSC_TASK_INTERVAL (Pacemaker's pcmk__op_key).</summary>
    public string ActionKey(string task, long intervalMs)
    {
        foreach (var k in _keys)
        {
            if (k.IntervalMs == intervalMs && k.Task == task)
            {
                return k.Key;
            }
        }

        var key = $"{Id}_{task}_{intervalMs}";
        Array.Resize(ref _keys, _keys.Length + 1);
        _keys[^1] = (task, intervalMs, key);
        return key;
    }

    /// <summary>The actions with this task, in creation order (read only: the list is shared).</summary>
    public List<WAction> ActionsOf(string task) => TaskEntry(task)?.List ?? NoActions;

    // Clone settings.
    public int CloneMax { get; set; }
    public int CloneNodeMax { get; set; } = 1;
    public int PromotedMax { get; set; } = 1;
    public int PromotedNodeMax { get; set; } = 1;
    public bool Interleave { get; set; }
    public bool CloneOrdered { get; set; }
    public int[] NodeCounts { get; set; } = [];

    // Group settings.
    public bool GroupOrdered { get; set; } = true;
    public bool GroupColocated { get; set; } = true;

    // Promotion.
    public int PromotionPriority { get; set; }
    public int SortIndex { get; set; }

    public WResource Top
    {
        get
        {
            var r = this;
            while (r.Parent is not null)
            {
                r = r.Parent;
            }

            return r;
        }
    }

    public bool IsClone => Variant == Variant.Clone;
    public bool IsAnonymousCloneInstance => Parent is { IsClone: true } p && !p.Unique;

    /// <summary>The clone this resource is an instance of, or part of an instance of.</summary>
    public WResource? CloneParent
    {
        get
        {
            for (var p = Parent; p is not null; p = p.Parent)
            {
                if (p.IsClone)
                {
                    return p;
                }
            }

            return null;
        }
    }

    public IEnumerable<WResource> Primitives() =>
        Variant == Variant.Primitive ? [this] : Children.SelectMany(c => c.Primitives());

    /// <summary>
    /// pe__current_node / pe__find_active_on: the first node it is active on, or, for a resource that does not
    /// need fencing, the first clean one (it may be started elsewhere before an unclean node is fenced).
    /// </summary>
    public WNode? CurrentNode
    {
        get
        {
            WNode? active = null;
            foreach (var node in RunningOn)
            {
                // A partial migration: its source, wherever it is in the list.
                if (PartialMigrationSource is { } source)
                {
                    if (node == source)
                    {
                        return node;
                    }

                    active ??= node;
                    continue;
                }

                if (NeedsFencing)
                {
                    return node;
                }

                var happy = node.Online && !node.Unclean;
                if (happy && (active is null || !active.Online || active.Unclean))
                {
                    active = node;
                }

                active ??= node;
            }

            return active;
        }
    }

    public override string ToString() => Id;

    // Identity equality; a hash of the id (computed once) instead of the runtime's object hash.
    private int _hash;

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            _hash = StringComparer.Ordinal.GetHashCode(Id) | 1;
        }

        return _hash;
    }
}

/// <summary>A set of node indexes as a bit set (a resource's known-on nodes: one per node of the history).</summary>
internal struct NodeSet
{
    // Nodes 0-63 in a field of their own (no second object to reach: sets are read and written 100,000s of times
    // while the status is unpacked), higher indexes in words allocated when first needed.
    private ulong _first;
    private ulong[]? _more;

    public int Count { get; private set; }

    public bool Contains(int index)
    {
        if (index < 64)
        {
            return (_first & (1UL << index)) != 0;
        }

        var word = (index >> 6) - 1;
        return _more is not null && word < _more.Length && (_more[word] & (1UL << index)) != 0;
    }

    public bool Add(int index)
    {
        var mask = 1UL << index;
        if (index < 64)
        {
            if ((_first & mask) != 0)
            {
                return false;
            }

            _first |= mask;
            Count++;
            return true;
        }

        var word = (index >> 6) - 1;
        if (_more is null || word >= _more.Length)
        {
            Array.Resize(ref _more, word + 1);
        }

        if ((_more[word] & mask) != 0)
        {
            return false;
        }

        _more[word] |= mask;
        Count++;
        return true;
    }
}

internal sealed class Coloc(string id, WResource dependent, WResource primary, int score, ResourceRole dependentRole, ResourceRole primaryRole, string? nodeAttribute, bool influence)
{
    public string Id { get; } = id;
    public WResource Dependent { get; } = dependent;
    public WResource Primary { get; } = primary;
    public int Score { get; } = score;
    public ResourceRole DependentRole { get; } = dependentRole;
    public ResourceRole PrimaryRole { get; } = primaryRole;
    public string? NodeAttribute { get; } = nodeAttribute;
    public bool Influence { get; } = influence;
}

internal sealed class Location(string id, WResource resource, ResourceRole roleFilter, ResourceDiscovery discovery, List<(WNode Node, Score Score)> nodes)
{
    public string Id { get; } = id;
    public WResource Resource { get; } = resource;
    public ResourceRole RoleFilter { get; } = roleFilter;
    public ResourceDiscovery Discovery { get; } = discovery;
    public List<(WNode Node, Score Score)> Nodes { get; set; } = nodes;
}

internal sealed class WAction(int id, WResource? rsc, string task, WNode? node, long intervalMs)
{
    public int Id { get; } = id;
    public WResource? Rsc { get; } = rsc;
    public string Task { get; } = task;
    public WNode? Node { get; set; } = node;
    public long IntervalMs { get; } = intervalMs;
    public string Key => Rsc is null ? Task : Rsc.ActionKey(Task, IntervalMs);

    public bool Optional { get; set; }
    public bool Runnable { get; set; } = true;
    public bool Pseudo { get; set; }
    public bool ImpliedByFencing { get; set; }
    public bool Dangle { get; set; }

    /// <summary>Part of a live migration that can still happen (pe_action_migrate_runnable).</summary>
    public bool MigrateRunnable { get; set; }
    public bool RequiresAny { get; set; }
    public bool PrintAlways { get; set; }
    public bool Probe { get; set; }
    public string? Reason { get; set; }
    public string? FenceAction { get; set; }
    public Requirement Needs { get; set; }
    public int RunnableBefore { get; set; }
    public int RequiredRunnableBefore { get; set; }

    /// <summary>In the propagation worklist (Scheduler.Enqueue): a flag rather than a set of every action.</summary>
    public bool Queued { get; set; }

    // The edges, held inline (an array and a count, no list object): a large cluster has hundreds of thousands of
    // actions, most with edges on one side only (a probe has none before it and one after it).
    private Edge[] _before = [];
    private int _beforeCount;
    // The first edge after is held in the action itself: a probe (one per resource and node) has exactly one.
    private Edge _firstAfter;
    private Edge[]? _after;
    private int _afterCount;

    /// <summary>The edges to the actions that come first, in the order added (add with <see cref="AddBefore"/>).</summary>
    public ReadOnlySpan<Edge> Before => new(_before, 0, _beforeCount);

    /// <summary>The edges to the actions that come after, in the order added (add with <see cref="AddAfter"/>).</summary>
    public ReadOnlySpan<Edge> After => _after is null
        ? _afterCount == 0 ? default : new ReadOnlySpan<Edge>(ref _firstAfter)
        : new(_after, 0, _afterCount);

    /// <summary>Makes room for <paramref name="count"/> more edges before this action (a start's probes, one per node).</summary>
    public void ReserveBefore(int count)
    {
        if (_beforeCount + count > _before.Length)
        {
            Array.Resize(ref _before, _beforeCount + count);
        }
    }

    public void AddBefore(Edge edge)
    {
        if (_beforeCount == _before.Length)
        {
            Array.Resize(ref _before, Math.Max(4, _beforeCount * 2));
        }

        _before[_beforeCount++] = edge;
    }

    // The types of the edges after this action by action (or-ed), once there are too many to compare one by one (a
    // fencing action comes before every stop on its node).
    private Dictionary<WAction, OrderFlags>? _afterSet;
    private const int AfterSetThreshold = 8;

    /// <summary>
    /// Adds the edge unless one to the same action sharing a flag with it (order_actions filters those as
    /// duplicates, so the first of two orderings between the same actions wins) or an identical one is there
    /// already (types as added: edges after an action are never changed); false then.
    /// </summary>
    public bool AddAfter(Edge edge)
    {
        if (_afterSet is not null)
        {
            if (_afterSet.TryGetValue(edge.Action, out var types) && (types == edge.Type || (types & edge.Type) != 0))
            {
                return false;
            }

            _afterSet[edge.Action] = types | edge.Type;
        }
        else
        {
            foreach (var e in After)
            {
                if (e.Action == edge.Action && (e.Type == edge.Type || (e.Type & edge.Type) != 0))
                {
                    return false;
                }
            }

            if (_afterCount >= AfterSetThreshold)
            {
                _afterSet = [];
                foreach (var e in After)
                {
                    _afterSet[e.Action] = _afterSet.GetValueOrDefault(e.Action) | e.Type;
                }

                _afterSet[edge.Action] = _afterSet.GetValueOrDefault(edge.Action) | edge.Type;
            }
        }

        if (_afterCount == 0)
        {
            _firstAfter = edge;
            _afterCount = 1;
            return true;
        }

        if (_after is null)
        {
            _after = new Edge[4];
            _after[0] = _firstAfter;
        }
        else if (_afterCount == _after.Length)
        {
            Array.Resize(ref _after, _afterCount * 2);
        }

        _after[_afterCount++] = edge;
        return true;
    }

    /// <summary>Turns the edge at <paramref name="index"/> of <see cref="Before"/> into no ordering at all.</summary>
    public void ClearBefore(int index) => _before[index].Type = OrderFlags.None;

    public override string ToString() => Node is null ? Key : $"{Key} {Node.Name}";

    // Identity equality (ids are unique within a run); the id as hash code spares the runtime's object hash
    // (set on first use in the object header) for the hundreds of thousands of actions of a large cluster.
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => Id;
}

/// <summary>
/// An ordering edge, held by value in its action's list (hundreds of thousands of them in a large cluster: no
/// object each); <see cref="WAction.ClearBefore"/> changes one in place.
/// </summary>
internal record struct Edge(WAction Action, OrderFlags Type);

/// <summary>
/// A resource-level ordering, expanded into action edges once all actions exist. A value: a large cluster has one
/// per probe, and the list holding them is then a single array.
/// </summary>
internal readonly record struct Ordering(
    WResource? FirstRsc,
    string FirstTask,
    WAction? FirstAction,
    WResource? ThenRsc,
    string ThenTask,
    WAction? ThenAction,
    OrderFlags Type,
    int MinRunnable = 0);
