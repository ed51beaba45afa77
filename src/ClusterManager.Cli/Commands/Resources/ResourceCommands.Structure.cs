using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Commands.Resources;

internal static partial class ResourceCommands
{
    private const string CloneUsage = """
        Usage: hactl resource clone RESOURCE_ID|GROUP_ID [CLONE_ID] [NAME=VALUE...]
               hactl resource promotable RESOURCE_ID|GROUP_ID [CLONE_ID] [NAME=VALUE...]
               hactl resource unclone CLONE_ID|RESOURCE_ID

        Runs a resource (or group) on several nodes: wraps it in a clone (id RESOURCE_ID-clone unless given; the
        options are clone meta attributes, e.g. clone-max=2 interleave=true); promotable adds promotable=true.
        unclone takes the resource out of its clone again.
        """;

    private static readonly CommandDefinition CloneCommand = ClusterCommand.Define(
        ["resource", "clone"], "clone a resource or group", CloneUsage, (c, ct) => CloneAsync(c, promotable: false, ct));

    private static readonly CommandDefinition Promotable = ClusterCommand.Define(
        ["resource", "promotable"], "clone a resource or group as promotable", CloneUsage, (c, ct) => CloneAsync(c, promotable: true, ct));

    private static readonly CommandDefinition Unclone = ClusterCommand.Define(
        ["resource", "unclone"], "take a resource out of its clone", CloneUsage, UncloneAsync);

    private const string ManageUsage = """
        Usage: hactl resource manage RESOURCE_ID...
               hactl resource unmanage RESOURCE_ID...

        unmanage: the cluster stops starting, stopping and recovering the resources (meta is-managed=false);
        manage: it takes them over again (removes is-managed).
        """;

    private static readonly CommandDefinition Manage = ClusterCommand.Define(
        ["resource", "manage"], "let the cluster manage resources again", ManageUsage, (c, ct) => SetManagedAsync(c, managed: true, ct));

    private static readonly CommandDefinition Unmanage = ClusterCommand.Define(
        ["resource", "unmanage"], "stop the cluster from managing resources", ManageUsage, (c, ct) => SetManagedAsync(c, managed: false, ct));

    private const string OpUsage = """
        Usage: hactl resource op add RESOURCE_ID ACTION [NAME=VALUE...]
               hactl resource op delete|remove RESOURCE_ID ACTION [NAME=VALUE...]
               hactl resource op delete|remove OPERATION_ID

        Adds an operation (e.g. a second monitor: op add VirtualIP monitor interval=30s OCF_CHECK_LEVEL=10), or
        removes the operations of that action (only those matching the given options), or one by its id.
        """;

    private static readonly CommandDefinition OpAdd = ClusterCommand.Define(
        ["resource", "op", "add"], "add an operation to a resource", OpUsage, OpAddAsync);

    private static readonly CommandDefinition OpDelete = ClusterCommand.Define(
        ["resource", "op", "delete"], "remove operations of a resource", OpUsage, OpDeleteAsync);

    private static readonly CommandDefinition OpRemove = ClusterCommand.Define(
        ["resource", "op", "remove"], "remove operations of a resource (= op delete)", OpUsage, OpDeleteAsync);

    private static async Task<int> CloneAsync(ClusterCall call, bool promotable, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var id = args.Take("resource id");
        string? cloneId = null;
        if (!args.AtEnd && !args.Peek()!.Contains('=', StringComparison.Ordinal))
        {
            cloneId = args.Take("clone id");
        }

        var options = args.TakeNameValues();
        args.EnsureEnd();
        return await ClusterCommand.EditAsync(call, state =>
        {
            var element = CibEdit.FindResource(state.Resources, id);
            if (element is null)
            {
                return EditPlan.Fail($"resource '{id}' does not exist");
            }

            if (element.Parent?.Name.LocalName != "resources" || element.Name.LocalName is not ("primitive" or "group"))
            {
                return EditPlan.Fail($"'{id}' cannot be cloned: only a top-level primitive or group can (it is a {element.Name.LocalName}{(element.Parent?.Name.LocalName is "group" or "clone" ? $" in {element.Parent.Name.LocalName} '{(string?)element.Parent.Attribute("id")}'" : "")})");
            }

            var ids = CibEdit.AllIds(state.Cib);
            if (cloneId is not null && ids.Contains(cloneId))
            {
                return EditPlan.Fail($"'{cloneId}' already exists");
            }

            element.Remove();
            var clone = ResourceXml.Clone(element, new CloneSpec(cloneId, promotable, options), ids);
            return EditPlan.Of([Changes.DeleteResource(id), Changes.PutResource(clone, WriteMode.Create)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> UncloneAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var id = call.Args.Take("clone id");
        call.Args.EnsureEnd();
        return await ClusterCommand.EditAsync(call, state =>
        {
            var element = CibEdit.FindResource(state.Resources, id);
            var clone = element?.Name.LocalName is "clone" or "master" ? element : element?.Parent is { Name.LocalName: "clone" or "master" } parent ? parent : null;
            if (clone is null)
            {
                return EditPlan.Fail($"'{id}' is not a clone or a cloned resource");
            }

            var child = clone.Elements().First(e => e.Name.LocalName is "primitive" or "group");
            var cloneId = (string)clone.Attribute("id")!;
            var messages = new List<string>();
            var changes = DropReferences(state.Constraints, new HashSet<string>([cloneId], StringComparer.Ordinal), messages).ToList();
            changes.Add(Changes.DeleteResource(cloneId));
            changes.Add(Changes.PutResource(child, WriteMode.Create));
            return EditPlan.Of(changes, [.. messages]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> SetManagedAsync(ClusterCall call, bool managed, CancellationToken cancellationToken)
    {
        call.Args.TakeFlag("--monitor");
        var ids = new List<string> { call.Args.Take("resource id") };
        while (!call.Args.AtEnd)
        {
            ids.Add(call.Args.Take("resource id"));
        }

        return await ClusterCommand.EditAsync(call, state =>
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

                CibEdit.SetPairs(element, "meta_attributes", [new("is-managed", managed ? "" : "false")], allIds);
                if (managed)
                {
                    // pcs: a resource is managed only when its parents and members are too.
                    foreach (var related in element.Ancestors().Concat(element.Descendants()).Where(e => CibEdit.ResourceElements.Contains(e.Name.LocalName)))
                    {
                        CibEdit.SetPairs(related, "meta_attributes", [new("is-managed", "")], allIds);
                    }
                }

                var top = CibEdit.TopLevel(element);
                if (!tops.Contains(top))
                {
                    tops.Add(top);
                }
            }

            return EditPlan.Of([.. tops.Select(t => Changes.PutResource(t, WriteMode.Replace))]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> OpAddAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var id = call.Args.Take("resource id");
        var action = call.Args.Take("operation action");
        var spec = new OperationSpec(action, call.Args.TakeNameValues());
        call.Args.EnsureEnd();
        ResourceXml.Operation(id, spec, new HashSet<string>());
        return await ClusterCommand.EditAsync(call, state =>
        {
            var primitive = CibEdit.FindResource(state.Resources, id);
            if (primitive is not { Name.LocalName: "primitive" })
            {
                return EditPlan.Fail($"'{id}' is not a primitive resource");
            }

            var ids = CibEdit.AllIds(state.Cib);
            var op = ResourceXml.Operation(id, spec, ids);
            var interval = Model.Durations.Parse((string?)op.Attribute("interval"));
            var container = primitive.Element("operations");
            if (container?.Elements("op").Any(o => (string?)o.Attribute("name") == action
                                                   && Model.Durations.TryParse((string?)o.Attribute("interval") ?? "0", out var i) && i == interval) == true)
            {
                return EditPlan.Fail($"operation {action} with interval {(string?)op.Attribute("interval")} already exists for '{id}' (use a different interval)");
            }

            if (container is null)
            {
                container = new XElement("operations");
                primitive.Add(container);
            }

            container.Add(op);
            return EditPlan.Of([Changes.PutResource(CibEdit.TopLevel(primitive), WriteMode.Replace)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> OpDeleteAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var first = call.Args.Take("resource id or operation id");
        var action = call.Args.AtEnd ? null : call.Args.Take("operation action");
        var options = call.Args.TakeNameValues();
        call.Args.EnsureEnd();
        return await ClusterCommand.EditAsync(call, state =>
        {
            List<XElement> doomed;
            if (action is null)
            {
                doomed = [.. state.Resources.Descendants("op").Where(o => (string?)o.Attribute("id") == first)];
                if (doomed.Count == 0)
                {
                    return EditPlan.Fail($"unable to find operation id: {first}");
                }
            }
            else
            {
                var primitive = CibEdit.FindResource(state.Resources, first);
                if (primitive is not { Name.LocalName: "primitive" })
                {
                    return EditPlan.Fail($"'{first}' is not a primitive resource");
                }

                doomed = [.. primitive.Elements("operations").Elements("op").Where(o => (string?)o.Attribute("name") == action
                    && options.All(kv => (string?)o.Attribute(kv.Key) == kv.Value))];
                if (doomed.Count == 0)
                {
                    return EditPlan.Fail($"unable to find operation matching: {action} {string.Join(' ', options.Select(kv => $"{kv.Key}={kv.Value}"))}".TrimEnd());
                }
            }

            var tops = doomed.Select(o => CibEdit.TopLevel(o.Ancestors("primitive").First())).Distinct().ToList();
            foreach (var op in doomed)
            {
                var container = op.Parent!;
                op.Remove();
                if (!container.HasElements)
                {
                    container.Remove();
                }
            }

            return EditPlan.Of([.. tops.Select(t => Changes.PutResource(t, WriteMode.Replace))]);
        }, cancellationToken).ConfigureAwait(false);
    }
}
