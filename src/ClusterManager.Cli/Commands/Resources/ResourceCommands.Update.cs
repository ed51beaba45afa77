using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Commands.Resources;

internal static partial class ResourceCommands
{
    private const string UpdateUsage = """
        Usage: hactl resource update RESOURCE_ID [NAME=VALUE ...] [op ACTION NAME=VALUE ... [ACTION NAME=VALUE ...]...]
                   [meta NAME=VALUE ...] [--force]

        Changes a resource's options (NAME= with an empty value removes one). 'op ACTION ...' replaces the first
        operation of that action (its other options are reset) or adds it. For a clone, NAME=VALUE are clone meta
        options. Options are checked against the agent's meta-data when it is readable here, unless --force.
        """;

    private static readonly CommandDefinition Update = ClusterCommand.Define(
        ["resource", "update"], "change a resource's options, operations or meta attributes", UpdateUsage,
        (call, ct) => UpdateAsync(call, stonith: false, ct));

    private const string MetaUsage = """
        Usage: hactl resource meta RESOURCE_ID NAME=VALUE ... [--force]

        Sets meta attributes of a resource, group or clone (NAME= removes one), e.g.
        hactl resource meta VirtualIP migration-threshold=3 failure-timeout=60s resource-stickiness=
        """;

    private static readonly CommandDefinition Meta = ClusterCommand.Define(
        ["resource", "meta"], "set meta attributes of a resource, group or clone", MetaUsage, MetaAsync);

    private const string EnableUsage = """
        Usage: hactl resource enable RESOURCE_ID...

        Allows the cluster to start the resources (removes target-role=Stopped; for a clone member also from its clone).
        """;

    private static readonly CommandDefinition Enable = ClusterCommand.Define(
        ["resource", "enable"], "allow the cluster to start resources", EnableUsage, (call, ct) => SetEnabledAsync(call, true, ct));

    private const string DisableUsage = """
        Usage: hactl resource disable RESOURCE_ID... [--safe [--brief] [--no-strict]] [--simulate [--brief]]

        Stops the resources and keeps them stopped (meta target-role=Stopped).
          --simulate    change nothing: print what the cluster would do (the transition summary); with --brief
                        only the other resources that would be affected, one per line
          --safe        change nothing if any other resource would be affected in any way (stopped, started,
                        moved, promoted, demoted, restarted); with --brief only the error is printed
          --no-strict   with --safe: refuse only when another resource would be stopped or demoted (moves allowed)
        The check uses the policy engine on the cluster's current state, and the change is applied only if nobody
        changed the configuration since (else run it again).
        """;

    private static readonly CommandDefinition Disable = ClusterCommand.Define(
        ["resource", "disable"], "stop resources and keep them stopped", DisableUsage, (call, ct) => SetEnabledAsync(call, false, ct));

    private const string SafeDisableUsage = """
        Usage: hactl resource safe-disable RESOURCE_ID... [--brief] [--no-strict] [--simulate [--brief]] [--force]

        resource disable --safe: stops the resources and keeps them stopped, but changes nothing if any other
        resource would be affected (see resource disable --help). --force skips the check.
        """;

    private static readonly CommandDefinition SafeDisable = ClusterCommand.Define(
        ["resource", "safe-disable"], "disable resources only if no other resource is affected", SafeDisableUsage,
        (call, ct) => SetEnabledAsync(call, false, ct, safeCommand: true));

    private const string GroupAddUsage = """
        Usage: hactl resource group add GROUP_ID RESOURCE_ID... [--before RESOURCE_ID | --after RESOURCE_ID]

        Puts resources into a group (created when missing), in the order given, at the end or before/after a member.
        A resource that is in another group is moved.
        """;

    private static readonly CommandDefinition GroupAdd = ClusterCommand.Define(
        ["resource", "group", "add"], "add resources to a group", GroupAddUsage, GroupAddAsync);

    private const string GroupListUsage = """
        Usage: hactl resource group list

        Lists the groups and their members.
        """;

    private static readonly CommandDefinition GroupList = ClusterCommand.Define(
        ["resource", "group", "list"], "list groups and their members", GroupListUsage, GroupListAsync);

    private const string UngroupUsage = """
        Usage: hactl resource ungroup GROUP_ID [RESOURCE_ID...]
               hactl resource group delete|remove GROUP_ID [RESOURCE_ID...]

        Takes the named members (all when none is named) out of the group; they stay as resources of their own.
        A group left empty is deleted, with the constraints that name it.
        """;

    private static readonly CommandDefinition Ungroup = ClusterCommand.Define(
        ["resource", "ungroup"], "take resources out of a group", UngroupUsage, UngroupAsync);

    private static readonly CommandDefinition GroupRemove = ClusterCommand.Define(
        ["resource", "group", "remove"], "take resources out of a group (= resource ungroup)", UngroupUsage, UngroupAsync);

    private static readonly CommandDefinition GroupDelete = ClusterCommand.Define(
        ["resource", "group", "delete"], "take resources out of a group (= resource ungroup)", UngroupUsage, UngroupAsync);

    /// <summary>resource update / stonith update.</summary>
    internal static async Task<int> UpdateAsync(ClusterCall call, bool stonith, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var force = args.TakeFlag("--force");
        args.TakeFlag("--agent-validation");
        var id = args.Take(stonith ? "stonith id" : "resource id");
        var tail = ResourceArguments.Parse(args, allowClone: false);
        args.EnsureEnd();
        if (tail.Instance.IsEmpty && tail.Operations.IsEmpty && tail.Meta.IsEmpty)
        {
            throw new UsageException("nothing to change: give NAME=VALUE, op ACTION ... or meta NAME=VALUE");
        }

        var scratch = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in tail.Operations)
        {
            ResourceXml.Operation(id, op, scratch);
        }

        // The agent is known only once the configuration is read; its meta-data is read here, outside the edit.
        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        var current = CibEdit.FindResource(state.Resources, id);
        AgentInfo? info = null;
        AgentName? agent = null;
        if (current is { Name.LocalName: "primitive" })
        {
            agent = new AgentName((string?)current.Attribute("class") ?? "", (string?)current.Attribute("provider"), (string?)current.Attribute("type") ?? "");
            if (!force && tail.Instance.Any(p => p.Value.Length > 0))
            {
                info = await AgentLookup.For(call.Context.Host, call.Context.Time).DescribeAsync(agent, cancellationToken).ConfigureAwait(false);
            }
        }

        if (info is not null && agent is not null
            && ResourceXml.CheckParameters(agent, info, tail.Instance.Where(p => p.Value.Length > 0).Select(p => p.Key), complete: false) is { } problem)
        {
            return call.BadInput(problem);
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var element = CibEdit.FindResource(state.Resources, id);
            if (element is null)
            {
                return EditPlan.Fail($"{(stonith ? "stonith device" : "resource")} '{id}' does not exist");
            }

            var isStonith = (string?)element.Attribute("class") == "stonith";
            if (stonith != isStonith)
            {
                return EditPlan.Fail(stonith ? $"'{id}' is not a stonith device (use 'hactl resource update')" : $"'{id}' is a stonith device (use 'hactl stonith update')");
            }

            var ids = CibEdit.AllIds(state.Cib);
            switch (element.Name.LocalName)
            {
                case "primitive":
                    CibEdit.SetPairs(element, "instance_attributes", tail.Instance, ids);
                    ReplaceOperations(element, tail.Operations, ids);
                    break;
                case "clone" or "master" when tail.Operations.IsEmpty:
                    CibEdit.SetPairs(element, "meta_attributes", tail.Instance, ids);
                    break;
                case "group" when tail.Instance.IsEmpty && tail.Operations.IsEmpty:
                    break;
                default:
                    return EditPlan.Fail($"'{id}' is a {element.Name.LocalName}: only meta attributes can be changed (hactl resource meta {id} NAME=VALUE)");
            }

            CibEdit.SetPairs(element, "meta_attributes", tail.Meta, ids);
            return EditPlan.Of([Changes.PutResource(CibEdit.TopLevel(element), WriteMode.Replace)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>pcs's <c>update ... op</c>: each given action replaces the first operation with that name, or is added.</summary>
    private static void ReplaceOperations(XElement primitive, IEnumerable<OperationSpec> operations, ISet<string> ids)
    {
        var resourceId = (string)primitive.Attribute("id")!;
        foreach (var spec in operations)
        {
            var container = primitive.Element("operations");
            if (container is null)
            {
                container = new XElement("operations");
                primitive.Add(container);
            }

            var old = container.Elements("op").FirstOrDefault(o => (string?)o.Attribute("name") == spec.Action);
            if (old is not null)
            {
                foreach (var oldId in old.DescendantsAndSelf().Select(e => (string?)e.Attribute("id")).OfType<string>())
                {
                    ids.Remove(oldId);
                }
            }

            var op = ResourceXml.Operation(resourceId, spec, ids);
            if (old is not null)
            {
                old.ReplaceWith(op);
            }
            else
            {
                container.Add(op);
            }
        }
    }

    private static async Task<int> MetaAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        args.TakeFlag("--force");
        var id = args.Take("resource id");
        var pairs = args.TakeNameValues();
        args.EnsureEnd();
        if (pairs.IsEmpty)
        {
            throw new UsageException("give meta options as NAME=VALUE");
        }

        foreach (var pair in pairs)
        {
            ResourceArguments.CheckName(pair.Key);
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var element = CibEdit.FindResource(state.Resources, id);
            if (element is null)
            {
                return EditPlan.Fail($"resource '{id}' does not exist");
            }

            CibEdit.SetPairs(element, "meta_attributes", pairs, CibEdit.AllIds(state.Cib));
            return EditPlan.Of([Changes.PutResource(CibEdit.TopLevel(element), WriteMode.Replace)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>resource enable/disable, stonith enable/disable: target-role on each resource, one batch.</summary>
    internal static async Task<int> SetEnabledAsync(ClusterCall call, bool enable, CancellationToken cancellationToken, bool safeCommand = false)
    {
        var args = call.Args;
        var check = enable ? null : DisableCheck.Take(args, safeCommand);
        var ids = new List<string> { args.Take("resource id") };
        while (!args.AtEnd)
        {
            ids.Add(args.Take("resource id"));
        }

        EditPlan Plan(ClusterState state)
        {
            var allIds = CibEdit.AllIds(state.Cib);
            var tops = new List<XElement>();
            foreach (var id in ids)
            {
                var element = CibEdit.FindResource(state.Resources, id);
                if (element is null)
                {
                    return EditPlan.Fail($"resource '{id}' does not exist");
                }

                if (enable)
                {
                    CibEdit.SetPairs(element, "meta_attributes", [new("target-role", "")], allIds);
                    if (element.Parent is { Name.LocalName: "clone" or "master" } clone)
                    {
                        CibEdit.SetPairs(clone, "meta_attributes", [new("target-role", "")], allIds);
                    }
                }
                else
                {
                    CibEdit.SetPairs(element, "meta_attributes", [new("target-role", "Stopped")], allIds);
                }

                var top = CibEdit.TopLevel(element);
                if (!tops.Contains(top))
                {
                    tops.Add(top);
                }
            }

            return EditPlan.Of([.. tops.Select(t => Changes.PutResource(t, WriteMode.Replace))]);
        }

        return check is { Checks: true }
            ? await check.RunAsync(call, ids, Plan, cancellationToken).ConfigureAwait(false)
            : await ClusterCommand.EditAsync(call, Plan, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> GroupAddAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var before = args.TakeOption("--before");
        var after = args.TakeOption("--after");
        var groupId = args.Take("group id");
        var members = new List<string> { args.Take("resource id") };
        while (!args.AtEnd)
        {
            members.Add(args.Take("resource id"));
        }

        if (before is not null && after is not null)
        {
            throw new UsageException("--before and --after cannot be used together");
        }

        if (members.Distinct().Count() != members.Count)
        {
            throw new UsageException("a resource is named more than once");
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var changes = new List<Change>();
            var group = CibEdit.FindResource(state.Resources, groupId);
            var created = false;
            if (group is null)
            {
                var ids = CibEdit.AllIds(state.Cib);
                if (ids.Contains(groupId))
                {
                    return EditPlan.Fail($"'{groupId}' already exists and is not a group");
                }

                if (before is not null || after is not null)
                {
                    return EditPlan.Fail($"group '{groupId}' does not exist, so --before/--after cannot name a member of it");
                }

                group = new XElement("group", new XAttribute("id", groupId));
                state.Resources.Add(group);
                created = true;
            }
            else if (group.Name.LocalName != "group")
            {
                return EditPlan.Fail($"'{groupId}' is not a group (it is a {group.Name.LocalName})");
            }

            var emptied = new List<XElement>();
            var touched = new List<XElement>();
            var moved = new List<XElement>();
            foreach (var memberId in members)
            {
                if (memberId == before || memberId == after)
                {
                    return EditPlan.Fail($"'{memberId}' cannot be placed before or after itself");
                }

                var member = CibEdit.FindResource(state.Resources, memberId);
                if (member is null)
                {
                    return EditPlan.Fail($"resource '{memberId}' does not exist");
                }

                if (member.Name.LocalName != "primitive")
                {
                    return EditPlan.Fail($"'{memberId}' is a {member.Name.LocalName}: only primitives can be put in a group");
                }

                switch (member.Parent?.Name.LocalName)
                {
                    case "resources":
                        changes.Add(Changes.DeleteResource(memberId));
                        break;
                    case "group" when member.Parent != group:
                        var oldGroup = member.Parent!;
                        if (oldGroup.Elements("primitive").Count() == 1)
                        {
                            emptied.Add(oldGroup);
                        }
                        else if (!touched.Contains(CibEdit.TopLevel(oldGroup)))
                        {
                            touched.Add(CibEdit.TopLevel(oldGroup));
                        }

                        break;
                    case "group":
                        break;
                    default:
                        return EditPlan.Fail($"'{memberId}' is in a {member.Parent?.Name.LocalName} and cannot be put in a group");
                }

                member.Remove();
                moved.Add(member);
            }

            if (InsertMembers(group, moved, before, after) is { } error)
            {
                return EditPlan.Fail(error);
            }

            foreach (var old in emptied)
            {
                var top = CibEdit.TopLevel(old);
                changes.Add(Changes.DeleteResource((string)top.Attribute("id")!));
            }

            changes.AddRange(touched.Where(t => !emptied.Contains(t)).Select(t => Changes.PutResource(t, WriteMode.Replace)));
            changes.Add(Changes.PutResource(CibEdit.TopLevel(group), created ? WriteMode.Create : WriteMode.Replace));
            return EditPlan.Of(changes);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static string? InsertMembers(XElement group, List<XElement> members, string? before, string? after)
    {
        if (before is null && after is null)
        {
            group.Add(members);
            return null;
        }

        var anchor = group.Elements("primitive").FirstOrDefault(p => (string?)p.Attribute("id") == (before ?? after));
        if (anchor is null)
        {
            return $"'{before ?? after}' is not a member of group '{(string?)group.Attribute("id")}'";
        }

        if (before is not null)
        {
            anchor.AddBeforeSelf(members);
        }
        else
        {
            anchor.AddAfterSelf(members);
        }

        return null;
    }

    private static async Task<int> GroupListAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.Args.EnsureEnd();
        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        foreach (var group in state.Resources.Descendants("group"))
        {
            call.Out.Write($"{(string?)group.Attribute("id")}: {string.Join(' ', group.Elements("primitive").Select(p => (string?)p.Attribute("id")))}\n");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> UngroupAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var groupId = args.Take("group id");
        var named = new List<string>();
        while (!args.AtEnd)
        {
            named.Add(args.Take("resource id"));
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var group = CibEdit.FindResource(state.Resources, groupId);
            if (group is not { Name.LocalName: "group" })
            {
                return EditPlan.Fail($"group '{groupId}' does not exist");
            }

            if (group.Parent?.Name.LocalName != "resources")
            {
                return EditPlan.Fail($"group '{groupId}' is cloned; take it out of its clone first");
            }

            var members = group.Elements("primitive").ToList();
            if (named.FirstOrDefault(n => members.All(m => (string?)m.Attribute("id") != n)) is { } stranger)
            {
                return EditPlan.Fail($"'{stranger}' is not a member of group '{groupId}'");
            }

            var leaving = named.Count == 0 ? members : [.. members.Where(m => named.Contains((string?)m.Attribute("id") ?? ""))];

            var changes = new List<Change>();
            var messages = new List<string>();
            foreach (var member in leaving)
            {
                member.Remove();
            }

            if (!group.Elements("primitive").Any())
            {
                changes.AddRange(DropReferences(state.Constraints, new HashSet<string>([groupId], StringComparer.Ordinal), messages));
                changes.Add(Changes.DeleteResource(groupId));
            }
            else
            {
                changes.Add(Changes.PutResource(group, WriteMode.Replace));
            }

            changes.AddRange(leaving.Select(m => Changes.PutResource(m, WriteMode.Create)));
            return EditPlan.Of(changes, [.. messages]);
        }, cancellationToken).ConfigureAwait(false);
    }
}
