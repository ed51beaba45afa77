using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;
using ClusterManager.Model.Validation;

namespace ClusterManager.Daemon.Store;

/// <summary>The outcome of applying one batch.</summary>
public abstract record ApplyOutcome(StoreState State);

/// <summary>The batch was applied: <see cref="ApplyOutcome.State"/> is the new state with the new epoch.</summary>
public sealed record Applied(StoreState State) : ApplyOutcome(State);

/// <summary>The request id had been applied before (at <see cref="Epoch"/>); the state is unchanged.</summary>
public sealed record Duplicate(StoreState State, long Epoch) : ApplyOutcome(State);

/// <summary>The batch was refused as a whole; the state is unchanged (apart from the index).</summary>
public sealed record Rejected(StoreState State, RejectReason Reason, ImmutableArray<string> Errors) : ApplyOutcome(State);

/// <summary>Why a batch was refused.</summary>
public enum RejectReason
{
    /// <summary>A change is impossible (missing or duplicate id) or the result does not validate.</summary>
    Invalid,

    /// <summary>The batch's expected epoch differs from the store's.</summary>
    EpochMismatch,
}

/// <summary>
/// The store's transition function: a pure function from (state, batch, Raft index) to an outcome. No clock, no
/// I/O: every node applies the same entries to the same state and reaches the same result, and a refused batch
/// is refused identically everywhere. Validation uses <see cref="ConfigurationValidator"/>: a batch is refused when
/// the resulting configuration has an error that the current configuration does not have, so an error already
/// present (for example from an imported CIB) does not block unrelated changes.
/// </summary>
public static partial class StoreApplier
{
    public const string PropertySetId = "cib-bootstrap-options";
    public const string ResourceDefaultsSetId = "rsc-options";
    public const string OperationDefaultsSetId = "op-options";

    // Memo of each configuration instance's validation errors (configurations are immutable, so an instance's errors
    // never change): the result of one check is the "before" of the next, halving the validator's cost per write.
    private static readonly ConditionalWeakTable<ClusterConfiguration, HashSet<(string Path, string Message)>> ErrorCache = new();

    private static HashSet<(string Path, string Message)> ErrorsOf(ClusterConfiguration config) =>
        ErrorCache.GetValue(config, c => ConfigurationValidator.Validate(c)
            .Where(i => i.Severity == IssueSeverity.Error)
            .Select(i => (i.ElementPath, i.Message))
            .ToHashSet());

    /// <summary>
    /// True for the cluster's own writers (<c>controller@NODE</c>, <c>executor@NODE</c>), whose status-only batches
    /// neither advance the epoch nor enter the history.
    /// </summary>
    public static bool IsInternalAuthor(string author) =>
        author.StartsWith("controller@", StringComparison.Ordinal) || author.StartsWith("executor@", StringComparison.Ordinal);

    /// <summary>Applies <paramref name="batch"/> committed at Raft index <paramref name="index"/> to <paramref name="state"/>.</summary>
    public static ApplyOutcome Apply(StoreState state, ChangeBatch batch, long index)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(batch);
        var indexed = state with { Index = Math.Max(state.Index, index) };
        if (state.AppliedRequests.TryGetValue(batch.RequestId, out var epoch))
        {
            return new Duplicate(indexed, epoch);
        }

        if (batch.ExpectedEpoch is { } expected && expected != state.Epoch)
        {
            return new Rejected(indexed, RejectReason.EpochMismatch, [$"expected epoch {expected}, but the store is at epoch {state.Epoch}"]);
        }

        var configChanges = batch.Changes.Where(c => c is not (RecordOperation or ClearResourceHistory or SetNodeState or SetTransientAttribute or RecordFence or ClearFenceHistory)).ToImmutableArray();
        var config = state.Configuration;
        if (!configChanges.IsEmpty || batch.Changes.IsDefaultOrEmpty)
        {
            (config, var errors) = Check(state.Configuration, configChanges);
            if (config is null)
            {
                return new Rejected(indexed, RejectReason.Invalid, errors);
            }
        }

        var (status, statusErrors) = ApplyStatus(state.Status, batch.Changes);
        if (status is null)
        {
            return new Rejected(indexed, RejectReason.Invalid, statusErrors);
        }

        var fences = FenceHistoryAfter(state.FenceHistory, batch.Changes);
        var members = MembersAfter(state.Members, batch.Changes);

        if (configChanges.IsEmpty && IsInternalAuthor(batch.Author))
        {
            // The controller's and executors' status records: not a configuration change, so no new epoch (a
            // client's compare-and-set is not disturbed by operation results) and no history entry or request id
            // (the history tells who changed what; these would crowd out the users' entries).
            return new Applied(indexed with { Status = status, FenceHistory = fences });
        }

        var newEpoch = state.Epoch + 1;
        var requests = state.AppliedRequests.SetItem(batch.RequestId, newEpoch);
        var order = state.RequestOrder.Add(batch.RequestId);
        while (order.Count > StoreState.RequestIdLimit)
        {
            requests = requests.Remove(order[0]);
            order = order.RemoveAt(0);
        }

        var history = state.History.Add(new HistoryEntry(
            newEpoch, index, batch.RequestId, batch.Author, batch.Timestamp, [.. batch.Changes.Select(c => c.Describe())]));
        while (history.Count > StoreState.HistoryLimit)
        {
            history = history.RemoveAt(0);
        }

        return new Applied(indexed with
        {
            Epoch = newEpoch,
            Configuration = config,
            Status = status,
            FenceHistory = fences,
            Members = members,
            AppliedRequests = requests,
            RequestOrder = order,
            History = history,
        });
    }

    /// <summary>
    /// Applies the changes to <paramref name="current"/> and validates the result. Returns the new configuration, or
    /// null and the errors (each naming the element). Used by <see cref="Apply"/> and by the API to refuse a batch
    /// before it is proposed.
    /// </summary>
    public static (ClusterConfiguration? Configuration, ImmutableArray<string> Errors) Check(
        ClusterConfiguration current, ImmutableArray<ConfigChange> changes)
    {
        if (changes.IsDefaultOrEmpty)
        {
            return (null, ["the batch has no changes"]);
        }

        var config = current;
        var errors = ImmutableArray.CreateBuilder<string>();
        foreach (var change in changes)
        {
            var (next, error) = ApplyChange(config, change);
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                config = next;
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors.ToImmutable());
        }

        var before = ErrorsOf(current);
        var after = ConfigurationValidator.Validate(config)
            .Where(i => i.Severity == IssueSeverity.Error)
            .Select(i => (i.ElementPath, i.Message))
            .ToList();
        foreach (var (path, message) in after)
        {
            if (!before.Contains((path, message)))
            {
                errors.Add($"{path}: {message}");
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors.ToImmutable());
        }

        ErrorCache.AddOrUpdate(config, [.. after]);
        return (config, []);
    }

    /// <summary>Applies the status changes of a batch (configuration changes are skipped here).</summary>
    public static (ClusterStatus? Status, ImmutableArray<string> Errors) ApplyStatus(ClusterStatus status, ImmutableArray<ConfigChange> changes)
    {
        var errors = ImmutableArray.CreateBuilder<string>();

        // Operation records are applied to a mutable copy of each node's history, indexed by resource id, and written
        // back before any other change and at the end: the same status as applying them one by one, without copying a
        // node's whole history for each record (a node with 10,000 resources reports 10,000 probe results).
        var editors = new List<NodeHistoryEditor>();
        foreach (var change in changes)
        {
            if (change is not RecordOperation && editors.Count > 0)
            {
                status = NodeHistoryEditor.WriteAll(status, editors);
            }

            switch (change)
            {
                case RecordOperation r when string.IsNullOrWhiteSpace(r.Node.Value) || string.IsNullOrWhiteSpace(r.Resource.Id.Value) || string.IsNullOrWhiteSpace(r.Operation.Id):
                    errors.Add("an operation record needs a node, a resource id and an operation id");
                    break;
                case RecordOperation r:
                    NodeHistoryEditor.For(status, editors, r.Node).Record(Interning(r));
                    break;
                case SetNodeState n when string.IsNullOrWhiteSpace(n.Node.Value):
                    errors.Add("a node state needs a node name");
                    break;
                case SetNodeState n:
                    status = UpdateNode(status, n.Node, node => node with
                    {
                        InMembership = n.InCluster,
                        ControllerOnline = n.InCluster,
                        Join = n.Join,
                        Expected = n.Expected,
                        Resources = n.ClearHistory ? [] : node.Resources,
                        TransientAttributes = n.ClearHistory ? ImmutableSortedDictionary<string, string>.Empty : node.TransientAttributes,
                    });
                    break;
                case SetTransientAttribute a when string.IsNullOrWhiteSpace(a.Node.Value) || string.IsNullOrWhiteSpace(a.Name):
                    errors.Add("a transient attribute needs a node name and an attribute name");
                    break;
                case SetTransientAttribute a:
                    status = UpdateNode(status, a.Node, node => node with
                    {
                        TransientAttributes = a.Value is null
                            ? node.TransientAttributes.Remove(a.Name)
                            : node.TransientAttributes.SetItem(a.Name, a.Value),
                    });
                    break;
                case RecordFence f:
                    (status, var fenceError) = RecordFenceStatus(status, f);
                    if (fenceError is not null)
                    {
                        errors.Add(fenceError);
                    }

                    break;
                case SetMember m:
                    status = RemoveMemberStatus(status, m);
                    break;
                case ClearResourceHistory c:
                    status = status with
                    {
                        Nodes = [.. status.Nodes.Select(n => c.Node is { } only && n.Name != only
                            ? n
                            : n with { Resources = n.Resources.RemoveAll(h => h.Id == c.Resource) })],
                    };
                    break;
            }
        }

        status = NodeHistoryEditor.WriteAll(status, editors);
        return errors.Count > 0 ? (null, errors.ToImmutable()) : (status, []);
    }

    /// <summary>One node's operation history while a batch is applied: a list and an index by resource id.</summary>
    private sealed class NodeHistoryEditor
    {
        private readonly NodeName _name;
        private readonly NodeState? _original;
        private readonly List<ResourceHistory> _resources;
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        private NodeHistoryEditor(NodeName name, NodeState? original)
        {
            _name = name;
            _original = original;
            _resources = original is null ? [] : [.. original.Resources];
            for (var i = 0; i < _resources.Count; i++)
            {
                // The first entry of an id is the one a record replaces, as IndexOf finds it.
                _index.TryAdd(_resources[i].Id.Value, i);
            }
        }

        public static NodeHistoryEditor For(ClusterStatus status, List<NodeHistoryEditor> editors, NodeName name)
        {
            foreach (var editor in editors)
            {
                if (editor._name == name)
                {
                    return editor;
                }
            }

            var at = IndexOf(status.Nodes, n => n.Name == name);
            var created = new NodeHistoryEditor(name, at >= 0 ? status.Nodes[at] : null);
            editors.Add(created);
            return created;
        }

        public void Record(RecordOperation r)
        {
            var found = _index.TryGetValue(r.Resource.Id.Value, out var resourceAt);
            var history = found
                ? _resources[resourceAt] with { Class = r.Resource.Class, Provider = r.Resource.Provider, Type = r.Resource.Type }
                : r.Resource with { Operations = [] };
            var opAt = IndexOf(history.Operations, o => o.Id == r.Operation.Id);
            history = history with { Operations = opAt >= 0 ? history.Operations.SetItem(opAt, r.Operation) : history.Operations.Add(r.Operation) };
            if (found)
            {
                _resources[resourceAt] = history;
            }
            else
            {
                _index[r.Resource.Id.Value] = _resources.Count;
                _resources.Add(history);
            }
        }

        /// <summary>Writes every edited node back (a node new to the status goes last, in the order first recorded).</summary>
        public static ClusterStatus WriteAll(ClusterStatus status, List<NodeHistoryEditor> editors)
        {
            foreach (var editor in editors)
            {
                var node = (editor._original
                        ?? new NodeState(editor._name.Value, editor._name, null, null, null, null, ImmutableSortedDictionary<string, string>.Empty, []))
                    with { Resources = [.. editor._resources] };
                var at = IndexOf(status.Nodes, n => n.Name == editor._name);
                status = status with { Nodes = at >= 0 ? status.Nodes.SetItem(at, node) : status.Nodes.Add(node) };
            }

            editors.Clear();
            return status;
        }
    }

    private static ClusterStatus UpdateNode(ClusterStatus status, NodeName name, Func<NodeState, NodeState> update)
    {
        var at = IndexOf(status.Nodes, n => n.Name == name);
        var node = update(at >= 0
            ? status.Nodes[at]
            : new NodeState(name.Value, name, null, null, null, null, ImmutableSortedDictionary<string, string>.Empty, []));
        return status with { Nodes = at >= 0 ? status.Nodes.SetItem(at, node) : status.Nodes.Add(node) };
    }

    // Status strings that repeat on every node (resource ids, agents, operation names) share one instance, as the
    // CIB reader's do: the status is smaller, and the policy engine compares them by reference before comparing text
    // (Scheduler.FindHistoryResource, Scheduler.AgentDiffers). Interning changes no value, so applying stays a pure
    // function; the table stops growing at 200,000 strings.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Interned = new(StringComparer.Ordinal);

    private static string Intern(string value) =>
        Interned.TryGetValue(value, out var shared) ? shared
        : Interned.Count < 200_000 ? Interned.GetOrAdd(value, value)
        : value;

    private static string? InternOrNull(string? value) => value is null ? null : Intern(value);

    private static RecordOperation Interning(RecordOperation r) => r with
    {
        Resource = r.Resource with
        {
            Id = new ResourceId(Intern(r.Resource.Id.Value)),
            Class = Intern(r.Resource.Class),
            Provider = InternOrNull(r.Resource.Provider),
            Type = Intern(r.Resource.Type),
        },
        Operation = r.Operation with { Operation = Intern(r.Operation.Operation) },
    };

    private static (ClusterConfiguration Config, string? Error) ApplyChange(ClusterConfiguration config, ConfigChange change) =>
        change switch
        {
            PutResource p => PutResourceChange(config, p),
            DeleteResource d => DeleteResourceChange(config, d),
            PutConstraint p => PutConstraintChange(config, p),
            DeleteConstraint d => DeleteConstraintChange(config, d),
            SetOption o => SetOptionChange(config, o),
            SetNodeAttribute a => SetNodeAttributeChange(config, a),
            AddFencingLevel a => AddFencingLevelChange(config, a),
            DeleteFencingLevel d => DeleteFencingLevelChange(config, d),
            SetMember m => SetMemberChange(config, m),
            _ => (config, $"unsupported change {change.GetType().Name}"),
        };

    private static (ClusterConfiguration, string?) PutResourceChange(ClusterConfiguration config, PutResource put)
    {
        var id = put.Resource.Id;
        var at = IndexOf(config.Resources, r => r.Id == id);
        if (at < 0)
        {
            return put.Mode == WriteMode.Replace
                ? (config, $"resource '{id}' does not exist")
                : (config with { Resources = config.Resources.Add(put.Resource) }, null);
        }

        return put.Mode == WriteMode.Create
            ? (config, $"resource '{id}' already exists")
            : (config with { Resources = config.Resources.SetItem(at, put.Resource) }, null);
    }

    private static (ClusterConfiguration, string?) DeleteResourceChange(ClusterConfiguration config, DeleteResource delete)
    {
        var at = IndexOf(config.Resources, r => r.Id == delete.Id);
        return at < 0
            ? (config, $"resource '{delete.Id}' does not exist (only top-level resources can be deleted; change a group by replacing it)")
            : (config with { Resources = config.Resources.RemoveAt(at) }, null);
    }

    private static (ClusterConfiguration, string?) PutConstraintChange(ClusterConfiguration config, PutConstraint put)
    {
        var id = put.Constraint.Id;
        var at = IndexOf(config.Constraints, c => c.Id == id);
        if (at < 0)
        {
            return put.Mode == WriteMode.Replace
                ? (config, $"constraint '{id}' does not exist")
                : (config with { Constraints = config.Constraints.Add(put.Constraint) }, null);
        }

        return put.Mode == WriteMode.Create
            ? (config, $"constraint '{id}' already exists")
            : (config with { Constraints = config.Constraints.SetItem(at, put.Constraint) }, null);
    }

    private static (ClusterConfiguration, string?) DeleteConstraintChange(ClusterConfiguration config, DeleteConstraint delete)
    {
        var at = IndexOf(config.Constraints, c => c.Id == delete.Id);
        return at < 0
            ? (config, $"constraint '{delete.Id}' does not exist")
            : (config with { Constraints = config.Constraints.RemoveAt(at) }, null);
    }

    private static (ClusterConfiguration, string?) SetOptionChange(ClusterConfiguration config, SetOption set)
    {
        if (string.IsNullOrWhiteSpace(set.Name))
        {
            return (config, "an option name is empty");
        }

        if (set.Scope == OptionScope.ClusterProperty && set.Value is not null && UnknownPropertyWarning(set.Name, set.Value) is { } unknown)
        {
            // The validator only warns about an unknown name (Pacemaker ignores it); a change that sets one is a typo.
            return (config, unknown);
        }

        return set.Scope switch
        {
            OptionScope.ClusterProperty => (config with { Properties = SetInSets(config.Properties, PropertySetId, set.Name, set.Value) }, null),
            OptionScope.ResourceDefault => (config with { ResourceDefaults = SetInSets(config.ResourceDefaults, ResourceDefaultsSetId, set.Name, set.Value) }, null),
            _ => (config with { OperationDefaults = SetInSets(config.OperationDefaults, OperationDefaultsSetId, set.Name, set.Value) }, null),
        };
    }

    private static string? UnknownPropertyWarning(string name, string value)
    {
        var probe = ClusterConfiguration.Empty with { Properties = [NvSet.Of(PropertySetId, (name, value))] };
        return ConfigurationValidator.Validate(probe).FirstOrDefault(i => i.Severity == IssueSeverity.Warning) is { } w
            ? $"{w.ElementPath}: {w.Message}"
            : null;
    }

    private static (ClusterConfiguration, string?) SetNodeAttributeChange(ClusterConfiguration config, SetNodeAttribute set)
    {
        if (string.IsNullOrWhiteSpace(set.Node.Value) || string.IsNullOrWhiteSpace(set.Name))
        {
            return (config, "a node attribute needs a node name and an attribute name");
        }

        var at = IndexOf(config.Nodes, n => n.Name == set.Node);
        var node = at >= 0
            ? config.Nodes[at]
            : new NodeConfig(set.Node.Value, set.Node, NodeType.Member, null, [], []);
        node = node with { Attributes = SetInSets(node.Attributes, $"nodes-{node.Id}", set.Name, set.Value) };
        return (config with { Nodes = at >= 0 ? config.Nodes.SetItem(at, node) : config.Nodes.Add(node) }, null);
    }

    /// <summary>
    /// Sets a name in the set with id <paramref name="setId"/> (created when missing), or removes it from every
    /// set when unsetting, so no lower-priority set keeps an old value.
    /// </summary>
    private static ImmutableArray<NvSet> SetInSets(ImmutableArray<NvSet> sets, string setId, string name, string? value)
    {
        if (value is null)
        {
            return [.. sets.Select(s => s with { Pairs = s.Pairs.RemoveAll(p => p.Name == name) })];
        }

        var at = IndexOf(sets, s => s.Id == setId);
        var set = at >= 0 ? sets[at] : new NvSet(setId, 0, null, []);
        var pairAt = IndexOf(set.Pairs, p => p.Name == name);
        var pair = new NvPair($"{setId}-{name}", name, value);
        set = set with { Pairs = pairAt >= 0 ? set.Pairs.SetItem(pairAt, pair with { Id = set.Pairs[pairAt].Id }) : set.Pairs.Add(pair) };
        return at >= 0 ? sets.SetItem(at, set) : sets.Add(set);
    }

    private static int IndexOf<T>(ImmutableArray<T> items, Func<T, bool> match)
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (match(items[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
