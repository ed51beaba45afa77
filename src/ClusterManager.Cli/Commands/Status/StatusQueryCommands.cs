using ClusterManager.Cli.Client;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Commands.Status;

/// <summary>
/// <c>hactl status query resource ...</c>: pcs 0.12's scriptable questions about one resource, answered from the
/// policy engine's current view. Yes/no questions print True or False (nothing with --quiet) and exit 0 for true,
/// 2 for false; an unknown resource or a question that does not apply to its type exits 1 with a message.
/// </summary>
internal static class StatusQueryCommands
{
    /// <summary>The query command.</summary>
    public static IEnumerable<CommandDefinition> All => [Query];

    private const string Usage = """
        Usage: hactl status query resource RESOURCE_ID[:INSTANCE] QUESTION [--quiet]

        Questions (as pcs status query resource):
          exists                          is there such a resource (or clone instance)
          is-stonith                      is it a fence device
          get-type                        primitive, group or clone (with unique / promotable)
          is-type TYPE [unique] [promotable]
          get-nodes                       the nodes it (any member or instance) is active on
          get-members                     the members of a group, or the resources of a clone
          is-in-group [GROUP_ID]          is the primitive in a group (that group); prints the group
          is-in-clone [CLONE_ID]          is the primitive or group in a clone (that clone); prints the clone
          get-index-in-group              the primitive's position in its group, from 0
          is-state STATE [on-node NODE] [members all|any|none] [instances all|any|none]
              STATE: started, stopped, promoted, unpromoted, starting, stopping, promoting, demoting,
              migrating, monitoring, pending, active, failed, disabled, enabled, managed, unmanaged,
              blocked, orphaned, failure_ignored. A group's state is that of all its members, a clone's that of
              any instance, unless members/instances says otherwise.

        Exit status of yes/no questions: 0 true, 2 false; 1 when the resource does not exist, the question does
        not apply to its type, or the question is malformed.
        """;

    private static readonly CommandDefinition Query = ClusterCommand.Define(
        ["status", "query", "resource"], "answer a yes/no question about a resource (exit 0 / 2)", Usage, QueryAsync);

    private enum Quantifier
    {
        All,
        Any,
        None,
    }

    // Exit 2 means "false" here, so a malformed question exits 1 (as pcs does), never 2.
    private static async Task<int> QueryAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        try
        {
            return await AnswerAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return call.Fail($"{e.Message} (hactl status query resource --help)");
        }
    }

    private static async Task<int> AnswerAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var quiet = args.TakeFlag("--quiet");
        var target = args.Take("resource id");
        var question = args.Take("question");
        var rest = new List<string>();
        while (!args.AtEnd)
        {
            rest.Add(args.Take("argument"));
        }

        var id = ResourceDisplay.BaseId(target);
        var instance = id.Length < target.Length ? target[(id.Length + 1)..] : null;

        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        if (live.Transition is null)
        {
            return call.Fail($"cannot compute the cluster's state: {live.EngineError}");
        }

        var index = new ViewIndex(live.Transition.Current);
        var found = index.Find(id, instance);
        if (question == "exists")
        {
            NoArguments(rest, question);
            return Answer(call, found.Count > 0, quiet);
        }

        if (found.Count == 0)
        {
            return call.Fail($"resource '{target}' does not exist");
        }

        var first = found[0];
        switch (question)
        {
            case "is-stonith":
                NoArguments(rest, question);
                return Answer(call, first is PrimitiveView p && p.Agent.StartsWith("stonith:", StringComparison.Ordinal), quiet);
            case "get-type":
                NoArguments(rest, question);
                call.Out.Write(TypeText(first) + "\n");
                return ExitCodes.Ok;
            case "is-type":
                return IsType(call, first, rest, quiet);
            case "get-nodes":
                NoArguments(rest, question);
                foreach (var node in found.SelectMany(Nodes).Order(StringComparer.Ordinal))
                {
                    call.Out.Write(node + "\n");
                }

                return ExitCodes.Ok;
            case "get-members":
                NoArguments(rest, question);
                return Members(call, target, first);
            case "is-in-group" or "is-in-clone":
                return InContainer(call, index, target, first, question == "is-in-group", rest, quiet);
            case "get-index-in-group":
                NoArguments(rest, question);
                if (first is not PrimitiveView || index.ParentOf(first) is not GroupView group)
                {
                    return call.Fail($"resource '{target}' is not in a group");
                }

                call.Out.Write(group.Members.Select(m => BaseId(m.Id)).ToList().IndexOf(id) + "\n");
                return ExitCodes.Ok;
            case "is-state":
                return IsState(call, index, found, rest, quiet);
            default:
                throw new UsageException($"unknown question '{question}' (see hactl status query resource --help)");
        }
    }

    private static void NoArguments(List<string> rest, string question)
    {
        if (rest.Count > 0)
        {
            throw new UsageException($"{question} takes no argument: '{rest[0]}'");
        }
    }

    private static int Answer(ClusterCall call, bool result, bool quiet)
    {
        if (!quiet)
        {
            call.Out.Write(result ? "True\n" : "False\n");
        }

        return result ? ExitCodes.Ok : ExitCodes.BadInput;
    }

    private static string TypeText(ResourceView view) => view switch
    {
        CloneView c => "clone" + (c.Unique ? " unique" : "") + (c.Promotable ? " promotable" : ""),
        GroupView => "group",
        _ => "primitive",
    };

    private static int IsType(ClusterCall call, ResourceView view, List<string> rest, bool quiet)
    {
        if (rest.Count == 0 || rest[0] is not ("primitive" or "group" or "clone" or "bundle"))
        {
            throw new UsageException("is-type needs a type: primitive, group, clone or bundle");
        }

        var extras = rest.Skip(1).ToList();
        if (extras.Any(e => e is not ("unique" or "promotable")) || extras.Distinct().Count() != extras.Count)
        {
            throw new UsageException("is-type TYPE takes only 'unique' and 'promotable' after the type");
        }

        if (extras.Count > 0 && rest[0] != "clone")
        {
            throw new UsageException($"type '{rest[0]}' cannot be {extras[0]}");
        }

        var result = TypeText(view).Split(' ')[0] == rest[0]
            && (!extras.Contains("unique") || view is CloneView { Unique: true })
            && (!extras.Contains("promotable") || view is CloneView { Promotable: true });
        return Answer(call, result, quiet);
    }

    private static int Members(ClusterCall call, string target, ResourceView view)
    {
        IEnumerable<string> members = view switch
        {
            GroupView g => g.Members.Select(m => BaseId(m.Id)),
            CloneView c => c.Instances.Select(i => BaseId(i.Id)).Distinct(),
            _ => throw new UsageException($"resource '{target}' is a primitive: get-members applies to groups and clones"),
        };
        foreach (var member in members)
        {
            call.Out.Write(member + "\n");
        }

        return ExitCodes.Ok;
    }

    private static int InContainer(ClusterCall call, ViewIndex index, string target, ResourceView view, bool group, List<string> rest, bool quiet)
    {
        if (rest.Count > 1)
        {
            throw new UsageException($"is-in-{(group ? "group" : "clone")} takes at most one id");
        }

        if (group ? view is not PrimitiveView : view is CloneView)
        {
            return call.Fail($"resource '{target}' is a {TypeText(view).Split(' ')[0]}: is-in-{(group ? "group" : "clone")} applies to {(group ? "primitives" : "primitives and groups")}");
        }

        var parent = index.ParentOf(view);
        var container = group
            ? parent as GroupView is { } g ? g.Id.Value : null
            : (parent is GroupView ? index.ParentOf(parent) : parent) is CloneView c ? c.Id.Value : null;
        var result = container is not null && (rest.Count == 0 || rest[0] == container);
        if (!quiet)
        {
            call.Out.Write(result ? "True\n" : "False\n");
            if (container is not null)
            {
                call.Out.Write(container + "\n");
            }
        }

        return result ? ExitCodes.Ok : ExitCodes.BadInput;
    }

    private static int IsState(ClusterCall call, ViewIndex index, List<ResourceView> found, List<string> rest, bool quiet)
    {
        if (rest.Count == 0)
        {
            throw new UsageException("is-state needs a state (see hactl status query resource --help)");
        }

        var state = rest[0];
        string? onNode = null;
        Quantifier? members = null, instances = null;
        for (var i = 1; i < rest.Count; i += 2)
        {
            if (i + 1 >= rest.Count)
            {
                throw new UsageException($"'{rest[i]}' needs a value");
            }

            switch (rest[i])
            {
                case "on-node":
                    onNode = rest[i + 1];
                    break;
                case "members":
                    members = ParseQuantifier(rest[i], rest[i + 1]);
                    break;
                case "instances":
                    instances = ParseQuantifier(rest[i], rest[i + 1]);
                    break;
                default:
                    throw new UsageException($"unknown keyword '{rest[i]}' (on-node, members, instances)");
            }
        }

        Func<PrimitiveView, bool> check = StateCheck(state);
        bool Primitive(PrimitiveView p) => check(p) && (onNode is null || p.Nodes.Any(n => n.Value == onNode));

        bool Group(GroupView g)
        {
            if (members is null && onNode is null && state is "disabled" or "enabled" or "managed" or "unmanaged")
            {
                return state switch
                {
                    "disabled" => g.Disabled,
                    "enabled" => !g.Disabled,
                    "managed" => g.Managed,
                    _ => !g.Managed,
                };
            }

            return Apply(members ?? Quantifier.All, g.Members.Select(Primitive));
        }

        bool One(ResourceView view) => view switch
        {
            PrimitiveView p => Primitive(p),
            GroupView g => Group(g),
            _ => false,
        };

        var first = found[0];
        if (members is not null && !(first is GroupView || (first is CloneView c0 && c0.Instances.Any(i => i is GroupView))))
        {
            return call.Fail("'members' quantifier can be used only on group resources or group instances of cloned groups");
        }

        if (instances is not null && first is not CloneView && index.CloneOf(first) is null)
        {
            return call.Fail("'instances' quantifier can be used only on clone resources and their instances");
        }

        bool result;
        if (first is CloneView clone)
        {
            if (instances is null && onNode is null && state is "disabled" or "enabled" or "managed" or "unmanaged")
            {
                result = state switch
                {
                    "disabled" => clone.Disabled,
                    "enabled" => !clone.Disabled,
                    "managed" => clone.Managed,
                    _ => !clone.Managed,
                };
            }
            else
            {
                result = Apply(instances ?? Quantifier.Any, clone.Instances.Where(i => !IsOrphan(i)).Select(One));
            }
        }
        else
        {
            // A resource in a clone without an instance number: its instances, any of them by default.
            result = Apply(instances ?? Quantifier.Any, found.Select(One));
        }

        return Answer(call, result, quiet);
    }

    private static bool IsOrphan(ResourceView view) => view is PrimitiveView { Orphaned: true };

    private static Quantifier ParseQuantifier(string keyword, string value) => value switch
    {
        "all" => Quantifier.All,
        "any" => Quantifier.Any,
        "none" => Quantifier.None,
        _ => throw new UsageException($"'{value}' is not a valid {keyword} value, use all, any, none"),
    };

    private static bool Apply(Quantifier quantifier, IEnumerable<bool> values) => quantifier switch
    {
        Quantifier.All => values.All(v => v),
        Quantifier.Any => values.Any(v => v),
        _ => !values.Any(v => v),
    };

    private static Func<PrimitiveView, bool> StateCheck(string state) => state switch
    {
        "started" => p => p.Role == ResourceRole.Started,
        "stopped" => p => p.Role <= ResourceRole.Stopped || p.Nodes.Length == 0,
        "promoted" => p => p.Role == ResourceRole.Promoted,
        "unpromoted" => p => p.Role == ResourceRole.Unpromoted,
        "starting" => p => p.PendingTask == "start",
        "stopping" => p => p.PendingTask == "stop",
        "promoting" => p => p.PendingTask == "promote",
        "demoting" => p => p.PendingTask == "demote",
        "migrating" => p => p.PendingTask is "migrate_to" or "migrate_from",
        "monitoring" => p => p.PendingTask == "monitor",
        "pending" => p => p.PendingTask is not null,
        "active" => p => p.Nodes.Length > 0,
        "failed" => p => p.Failed,
        "disabled" => p => p.Disabled,
        "enabled" => p => !p.Disabled,
        "managed" => p => p.Managed,
        "unmanaged" => p => !p.Managed,
        "blocked" => p => p.Blocked,
        "orphaned" => p => p.Orphaned,
        "failure_ignored" => p => p.FailureIgnored,
        "maintenance" or "locked_to" => throw new UsageException($"state '{state}' is not supported by hactl yet"),
        _ => throw new UsageException($"'{state}' is not a valid state (see hactl status query resource --help)"),
    };

    private static IEnumerable<string> Nodes(ResourceView view) => view switch
    {
        PrimitiveView p => p.Nodes.Select(n => n.Value),
        GroupView g => g.Members.SelectMany(m => m.Nodes).Select(n => n.Value).Distinct(),
        CloneView c => c.Instances.Where(i => !IsOrphan(i)).SelectMany(Nodes),
        _ => [],
    };

    private static string BaseId(ResourceId id) => ResourceDisplay.BaseId(id.Value);

    /// <summary>Every view by id (instances under their base id too) and its parent.</summary>
    private sealed class ViewIndex
    {
        private readonly Dictionary<string, List<ResourceView>> _byId = new(StringComparer.Ordinal);
        private readonly Dictionary<ResourceView, ResourceView> _parents = new(ReferenceEqualityComparer.Instance);

        public ViewIndex(ClusterView view)
        {
            foreach (var top in view.Resources)
            {
                Add(top, null);
            }
        }

        private void Add(ResourceView view, ResourceView? parent)
        {
            if (parent is not null)
            {
                _parents[view] = parent;
            }

            var id = view.Id.Value;
            Remember(id, view);
            if (parent is CloneView && BaseId(view.Id) != id)
            {
                Remember(BaseId(view.Id), view);
            }

            var children = view switch
            {
                GroupView g => g.Members.Cast<ResourceView>(),
                CloneView c => c.Instances,
                _ => [],
            };
            foreach (var child in children)
            {
                Add(child, view);
            }
        }

        private void Remember(string id, ResourceView view)
        {
            if (!_byId.TryGetValue(id, out var list))
            {
                _byId[id] = list = [];
            }

            list.Add(view);
        }

        public List<ResourceView> Find(string id, string? instance) =>
            instance is null
                ? _byId.GetValueOrDefault(id) ?? []
                : [.. (_byId.GetValueOrDefault($"{id}:{instance}") ?? [])];

        public ResourceView? ParentOf(ResourceView view) => _parents.GetValueOrDefault(view);

        public CloneView? CloneOf(ResourceView view)
        {
            var parent = ParentOf(view);
            return parent as CloneView ?? (parent is GroupView g ? ParentOf(g) as CloneView : null);
        }
    }
}
