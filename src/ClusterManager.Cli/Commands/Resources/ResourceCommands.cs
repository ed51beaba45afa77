using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Commands.Resources;

/// <summary>
/// <c>hactl resource ...</c> (and <c>hactl stonith create/update/delete</c>, which share the code): pcs's resource
/// commands as changes through clusterd's API. One file per concern: creation and removal here, updates, placement
/// (move/ban/clear), cleanup and fail counts, and the read commands in the partial files.
/// </summary>
internal static partial class ResourceCommands
{
    /// <summary>Every resource command.</summary>
    public static IEnumerable<CommandDefinition> All =>
    [
        Create, Delete, Remove, Update, Meta, Enable, Disable, SafeDisable, GroupAdd, GroupList, GroupRemove, GroupDelete, Ungroup,
        Move, MoveWithConstraint, Ban, Clear, Cleanup, Refresh, FailcountShow, Failcount, FailcountReset,
        Config, Show, ResourceStatus, StatusBare, Defaults, DefaultsConfig, DefaultsUpdate, OpDefaults, OpDefaultsConfig, OpDefaultsUpdate,
        CloneCommand, Promotable, Unclone, Manage, Unmanage, OpAdd, OpDelete, OpRemove, Restart,
    ];

    private const string CreateUsage = """
        Usage: hactl resource create RESOURCE_ID [STANDARD:[PROVIDER:]]TYPE [NAME=VALUE ...]
                   [op ACTION NAME=VALUE ... [ACTION NAME=VALUE ...]...] [meta NAME=VALUE ...]
                   [clone [CLONE_ID] [NAME=VALUE ...] | promotable [CLONE_ID] [NAME=VALUE ...]
                    | --group GROUP_ID [--before RESOURCE_ID | --after RESOURCE_ID]]
                   [--disabled] [--no-default-ops] [--force]

        Creates a primitive resource (as pcs resource create). The agent's meta-data, when it is readable on this
        machine, checks the options (unknown or missing required options are refused unless --force) and gives the
        timeouts of the default operations. Without an 'op monitor', a monitor is added (the agent's interval and
        timeout, else interval=10s timeout=20s); start and stop operations get the agent's timeouts (else 20s)
        unless --no-default-ops.

          TYPE alone          an OCF agent found on this machine (e.g. IPaddr2 = ocf:heartbeat:IPaddr2)
          --group GROUP_ID    put the resource in this group (created when missing)
          clone, promotable   clone the resource (id RESOURCE_ID-clone unless given; options become clone meta)
          --disabled          create it stopped (meta target-role=Stopped)

        Example: hactl resource create VirtualIP ocf:heartbeat:IPaddr2 ip=198.18.0.100 cidr_netmask=24 op monitor interval=10s
        """;

    private static readonly CommandDefinition Create = ClusterCommand.Define(
        ["resource", "create"], "create a resource", CreateUsage, (call, ct) => CreateAsync(call, stonith: false, ct));

    private const string DeleteUsage = """
        Usage: hactl resource delete RESOURCE_ID [--yes]
               hactl resource remove RESOURCE_ID [--yes]

        Deletes a resource (primitive, group or clone) and the constraints that name it; a group member is taken out
        of its group (an emptied group is deleted too). Asks for confirmation on a terminal; otherwise --yes is needed.
        """;

    private static readonly CommandDefinition Delete = ClusterCommand.Define(
        ["resource", "delete"], "delete a resource and its constraints", DeleteUsage, (call, ct) => DeleteAsync(call, stonith: false, ct));

    private static readonly CommandDefinition Remove = ClusterCommand.Define(
        ["resource", "remove"], "delete a resource (= resource delete)", DeleteUsage, (call, ct) => DeleteAsync(call, stonith: false, ct));

    /// <summary>
    /// resource create / stonith create: parse, check locally (agent, meta-data, operations), then one edit: the
    /// primitive, its group or its clone.
    /// </summary>
    internal static async Task<int> CreateAsync(ClusterCall call, bool stonith, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var group = args.TakeOption("--group");
        var before = args.TakeOption("--before");
        var after = args.TakeOption("--after");
        var disabled = args.TakeFlag("--disabled");
        var noDefaultOps = args.TakeFlag("--no-default-ops");
        var force = args.TakeFlag("--force");
        args.TakeFlag("--agent-validation");
        var id = args.Take("resource id");
        var agentText = args.Take(stonith ? "stonith device type (e.g. fence_virsh)" : "resource agent (e.g. ocf:heartbeat:IPaddr2)");
        var tail = ResourceArguments.Parse(args, allowClone: !stonith);
        args.EnsureEnd();
        if (group is not null && tail.Cloning is not null)
        {
            throw new UsageException("--group and clone/promotable cannot be used together");
        }

        if ((before is not null || after is not null) && group is null)
        {
            throw new UsageException("--before and --after need --group");
        }

        if (before is not null && after is not null)
        {
            throw new UsageException("--before and --after cannot be used together");
        }

        var scratch = new HashSet<string>(StringComparer.Ordinal);
        ResourceXml.Take(scratch, id);
        var lookup = AgentLookup.For(call.Context.Host, call.Context.Time);
        var (agent, note) = lookup.Resolve(agentText, stonith);
        if (note is not null)
        {
            call.Error.Write(note + "\n");
        }

        var info = await lookup.DescribeAsync(agent, cancellationToken).ConfigureAwait(false);
        if (info is not null && !force && ResourceXml.CheckParameters(agent, info, tail.Instance.Select(p => p.Key), complete: true) is { } problem)
        {
            return call.BadInput(problem);
        }

        var operations = ResourceXml.WithDefaults(tail.Operations, info, stonith, noDefaultOps);
        var meta = disabled && tail.Cloning is null ? tail.Meta.Add(new("target-role", "Stopped")) : tail.Meta;

        // Built once against an empty id set so that a bad option is a usage error before anything is sent.
        ResourceXml.SetOperations(ResourceXml.Primitive(id, agent, tail.Instance, meta, scratch), operations, scratch);

        return await ClusterCommand.EditAsync(call, state =>
        {
            var ids = CibEdit.AllIds(state.Cib);
            if (ids.Contains(id))
            {
                return EditPlan.Fail($"'{id}' already exists");
            }

            ids.Add(id);
            var primitive = ResourceXml.Primitive(id, agent, tail.Instance, meta, ids);
            ResourceXml.SetOperations(primitive, operations, ids);
            if (tail.Cloning is { } cloneSpec)
            {
                var clone = ResourceXml.Clone(primitive, cloneSpec, ids);
                if (disabled)
                {
                    CibEdit.SetPairs(clone, "meta_attributes", [new("target-role", "Stopped")], ids);
                }

                return EditPlan.Of([Changes.PutResource(clone, WriteMode.Create)]);
            }

            if (group is null)
            {
                return EditPlan.Of([Changes.PutResource(primitive, WriteMode.Create)]);
            }

            var existing = CibEdit.FindResource(state.Resources, group);
            if (existing is null)
            {
                if (before is not null || after is not null)
                {
                    return EditPlan.Fail($"group '{group}' does not exist, so --before/--after cannot name a member of it");
                }

                if (ids.Contains(group))
                {
                    return EditPlan.Fail($"'{group}' already exists and is not a group");
                }

                ids.Add(group);
                return EditPlan.Of([Changes.PutResource(new XElement("group", new XAttribute("id", group), primitive), WriteMode.Create)]);
            }

            if (existing.Name.LocalName != "group")
            {
                return EditPlan.Fail($"'{group}' is not a group (it is a {existing.Name.LocalName})");
            }

            if (InsertMember(existing, primitive, before, after) is { } error)
            {
                return EditPlan.Fail(error);
            }

            return EditPlan.Of([Changes.PutResource(CibEdit.TopLevel(existing), WriteMode.Replace)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>resource delete / stonith delete: confirm, then remove the resource and every reference to it.</summary>
    internal static async Task<int> DeleteAsync(ClusterCall call, bool stonith, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var yes = args.TakeFlag("--yes", "-y");
        args.TakeFlag("--force");
        var id = args.Take(stonith ? "stonith id" : "resource id");
        args.EnsureEnd();
        if (ClusterCommand.Confirm(call.Context, $"Delete {(stonith ? "stonith device" : "resource")} '{id}' and the constraints that name it", yes) is { } refused)
        {
            return refused;
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var element = CibEdit.FindResource(state.Resources, id);
            if (element is null)
            {
                return EditPlan.Fail($"{(stonith ? "stonith device" : "resource")} '{id}' does not exist");
            }

            var isStonith = element.Name.LocalName == "primitive" && (string?)element.Attribute("class") == "stonith";
            if (stonith && !isStonith)
            {
                return EditPlan.Fail($"'{id}' is not a stonith device (use 'hactl resource delete')");
            }

            var changes = new List<Change>();
            var messages = new List<string>();
            var removed = RemoveFromConfiguration(element, changes);
            changes.InsertRange(0, DropReferences(state.Constraints, removed, messages));
            messages.Add($"Deleting Resource - {id}");
            return EditPlan.Of(changes, [.. messages]);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes <paramref name="element"/> out of the configuration: deletes its top-level resource, or rewrites the
    /// group it is in (deleting the group, and a clone of it, when it becomes empty). Returns every resource id that
    /// no longer exists.
    /// </summary>
    private static HashSet<string> RemoveFromConfiguration(XElement element, List<Change> changes)
    {
        var removed = new HashSet<string>(CibEdit.AllResources(new XElement("x", element)).Select(e => (string)e.Attribute("id")!), StringComparer.Ordinal);
        var top = CibEdit.TopLevel(element);
        if (element.Parent is { } parent && parent.Name.LocalName == "group" && parent.Elements("primitive").Count() > 1)
        {
            element.Remove();
            changes.Add(Changes.PutResource(top, WriteMode.Replace));
            return removed;
        }

        foreach (var e in CibEdit.AllResources(new XElement("x", top)))
        {
            removed.Add((string)e.Attribute("id")!);
        }

        changes.Add(Changes.DeleteResource((string)top.Attribute("id")!));
        return removed;
    }

    /// <summary>
    /// The changes that remove <paramref name="removed"/> resources from constraints: a constraint naming one directly
    /// is deleted; a set constraint loses the references (and the sets that become empty; the whole constraint when none is left).
    /// </summary>
    internal static IEnumerable<Change> DropReferences(XElement constraints, IReadOnlySet<string> removed, List<string> messages)
    {
        foreach (var constraint in constraints.Elements().ToList())
        {
            var id = (string)constraint.Attribute("id")!;
            var direct = new[] { "rsc", "with-rsc", "first", "then" }.Any(a => (string?)constraint.Attribute(a) is { } r && removed.Contains(r));
            var refs = constraint.Descendants("resource_ref").Where(r => removed.Contains((string?)r.Attribute("id") ?? "")).ToList();
            if (!direct && refs.Count == 0)
            {
                continue;
            }

            if (!direct)
            {
                var copy = new XElement(constraint);
                foreach (var r in copy.Descendants("resource_ref").Where(r => removed.Contains((string?)r.Attribute("id") ?? "")).ToList())
                {
                    r.Remove();
                }

                foreach (var set in copy.Elements("resource_set").Where(s => !s.Elements("resource_ref").Any()).ToList())
                {
                    set.Remove();
                }

                if (copy.Elements("resource_set").Any())
                {
                    yield return Changes.PutConstraint(copy, WriteMode.Replace);
                    continue;
                }
            }

            messages.Add($"Removing Constraint - {id}");
            yield return Changes.DeleteConstraint(id);
        }
    }

    /// <summary>Puts <paramref name="member"/> into <paramref name="group"/> (at the end, or before/after a member).</summary>
    private static string? InsertMember(XElement group, XElement member, string? before, string? after)
    {
        var anchorId = before ?? after;
        if (anchorId is null)
        {
            group.Add(member);
            return null;
        }

        var anchor = group.Elements("primitive").FirstOrDefault(p => (string?)p.Attribute("id") == anchorId);
        if (anchor is null)
        {
            return $"'{anchorId}' is not a member of group '{(string?)group.Attribute("id")}'";
        }

        if (before is not null)
        {
            anchor.AddBeforeSelf(member);
        }
        else
        {
            anchor.AddAfterSelf(member);
        }

        return null;
    }
}
