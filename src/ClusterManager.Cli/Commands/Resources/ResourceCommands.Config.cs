using System.Text.Json.Nodes;
using System.Xml.Linq;
using ClusterManager.Cli.Commands.Status;
using ClusterManager.Cli.Editing;
using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Commands.Resources;

internal static partial class ResourceCommands
{
    private const string ConfigUsage = """
        Usage: hactl resource config [RESOURCE_ID...] [--output json]

        The configuration of resources (all but stonith devices, or the ones named): agent, options with their
        set ids, meta attributes, operations.
        """;

    private static readonly CommandDefinition Config = ClusterCommand.Define(
        ["resource", "config"], "show the configuration of resources", ConfigUsage, (call, ct) => ConfigAsync(call, stonith: false, ct));

    private const string ShowUsage = """
        Usage: hactl resource show [RESOURCE_ID...] [--full]

        Deprecated (removed in pcs 0.11): with --full or resource ids it is 'resource config', otherwise 'resource status'.
        """;

    private static readonly CommandDefinition Show = ClusterCommand.Define(["resource", "show"], "deprecated: resource config / resource status", ShowUsage, ShowAsync);

    private static readonly CommandDefinition ResourceStatus = ClusterCommand.Define(
        ["resource", "status"], "list resources and where they run (= status resources)", """
        Usage: hactl resource status [RESOURCE_ID] [node=NODE] [--hide-inactive] [--output json]

        The resources and where they run (stonith devices: 'hactl stonith status').
        """, (call, ct) => StatusCommands.ResourcesAsync(call, stonith: false, ct));

    private static readonly CommandDefinition StatusBare = ClusterCommand.Bare(
        "resource", "list resources and where they run (= resource status)", """
        Usage: hactl resource [--hide-inactive] [--output json]

        Without a subcommand: the resources and where they run. Subcommands: hactl --help.
        """, (call, ct) => StatusCommands.ResourcesAsync(call, stonith: false, ct));

    private const string DefaultsUsage = """
        Usage: hactl resource defaults [config] [--output json]
               hactl resource defaults update NAME=VALUE...
               hactl resource defaults NAME=VALUE...        (deprecated form of update)

        Resource defaults (rsc_defaults, e.g. resource-stickiness=100); NAME= removes one.
        """;

    private static readonly CommandDefinition Defaults = ClusterCommand.Define(
        ["resource", "defaults"], "show or set resource defaults", DefaultsUsage, (call, ct) => DefaultsAsync(call, operation: false, deprecatedSet: true, ct));

    private static readonly CommandDefinition DefaultsConfig = ClusterCommand.Define(
        ["resource", "defaults", "config"], "show resource defaults", DefaultsUsage, (call, ct) => DefaultsAsync(call, operation: false, deprecatedSet: false, ct));

    private static readonly CommandDefinition DefaultsUpdate = ClusterCommand.Define(
        ["resource", "defaults", "update"], "set resource defaults", DefaultsUsage, (call, ct) => DefaultsUpdateAsync(call, operation: false, ct));

    private const string OpDefaultsUsage = """
        Usage: hactl resource op defaults [config] [--output json]
               hactl resource op defaults update NAME=VALUE...
               hactl resource op defaults NAME=VALUE...     (deprecated form of update)

        Operation defaults (op_defaults, e.g. timeout=40s); NAME= removes one.
        """;

    private static readonly CommandDefinition OpDefaults = ClusterCommand.Define(
        ["resource", "op", "defaults"], "show or set operation defaults", OpDefaultsUsage, (call, ct) => DefaultsAsync(call, operation: true, deprecatedSet: true, ct));

    private static readonly CommandDefinition OpDefaultsConfig = ClusterCommand.Define(
        ["resource", "op", "defaults", "config"], "show operation defaults", OpDefaultsUsage, (call, ct) => DefaultsAsync(call, operation: true, deprecatedSet: false, ct));

    private static readonly CommandDefinition OpDefaultsUpdate = ClusterCommand.Define(
        ["resource", "op", "defaults", "update"], "set operation defaults", OpDefaultsUsage, (call, ct) => DefaultsUpdateAsync(call, operation: true, ct));

    /// <summary>resource config / stonith config.</summary>
    internal static async Task<int> ConfigAsync(ClusterCall call, bool stonith, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        call.Args.TakeFlag("--full");
        var ids = new List<string>();
        while (!call.Args.AtEnd)
        {
            ids.Add(call.Args.Take("resource id"));
        }

        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        List<XElement> selected;
        if (ids.Count > 0)
        {
            selected = [];
            foreach (var id in ids)
            {
                var element = CibEdit.FindResource(state.Resources, id);
                if (element is null || IsStonith(element) != stonith)
                {
                    return call.Fail($"unable to find {(stonith ? "stonith device" : "resource")} '{id}'");
                }

                selected.Add(element);
            }
        }
        else
        {
            selected = [.. state.Resources.Elements().Where(e => CibEdit.ResourceElements.Contains(e.Name.LocalName) && IsStonith(e) == stonith)];
        }

        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, ConfigWriter.Json(selected));
        }
        else
        {
            ConfigWriter.WriteText(call.Out, selected);
            if (stonith && ids.Count == 0)
            {
                Stonith.StonithCommands.WriteLevels(call.Out, state.Snapshot.Configuration, indent: "");
            }
        }

        return ExitCodes.Ok;
    }

    private static bool IsStonith(XElement resource) =>
        CibEdit.Primitives(resource).Any() && CibEdit.Primitives(resource).All(p => (string?)p.Attribute("class") == "stonith");

    private static Task<int> ShowAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var full = call.Args.TakeFlag("--full");
        var hasIds = !call.Args.AtEnd;
        call.Error.Write($"Deprecation Warning: 'resource show' was removed in pcs 0.11; use 'hactl resource {(full || hasIds ? "config" : "status")}'\n");
        return full || hasIds ? ConfigAsync(call, stonith: false, cancellationToken) : StatusCommands.ResourcesAsync(call, stonith: false, cancellationToken);
    }

    private static async Task<int> DefaultsAsync(ClusterCall call, bool operation, bool deprecatedSet, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        call.Args.TakeFlag("--all");
        call.Args.TakeFlag("--full");
        call.Args.TakeFlag("--no-expire-check");
        if (deprecatedSet && !call.Args.AtEnd)
        {
            call.Error.Write($"Deprecation Warning: This command is deprecated and will be removed. Please use 'hactl resource {(operation ? "op " : "")}defaults update' instead.\n");
            return await DefaultsUpdateAsync(call, operation, cancellationToken).ConfigureAwait(false);
        }

        call.Args.EnsureEnd();
        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        var section = state.Cib.Root!.Element("configuration")?.Element(operation ? "op_defaults" : "rsc_defaults") ?? new XElement("x");
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonObject { ["meta_attributes"] = ConfigWriter.SetsJson(section, "meta_attributes") });
            return ExitCodes.Ok;
        }

        if (!section.Elements("meta_attributes").Elements("nvpair").Any())
        {
            call.Out.Write("No defaults set\n");
            return ExitCodes.Ok;
        }

        ConfigWriter.WriteSets(call.Out, section, "meta_attributes", "Meta Attrs", 0);
        return ExitCodes.Ok;
    }

    private static async Task<int> DefaultsUpdateAsync(ClusterCall call, bool operation, CancellationToken cancellationToken)
    {
        var pairs = call.Args.TakeNameValues();
        call.Args.EnsureEnd();
        if (pairs.IsEmpty)
        {
            throw new UsageException("give defaults as NAME=VALUE (NAME= removes one)");
        }

        foreach (var pair in pairs)
        {
            ResourceArguments.CheckName(pair.Key);
        }

        var changes = pairs.Select(p => operation
            ? Changes.SetOperationDefault(p.Key, p.Value.Length == 0 ? null : p.Value)
            : Changes.SetResourceDefault(p.Key, p.Value.Length == 0 ? null : p.Value)).ToList();
        return await ClusterCommand.ApplyAsync(call, changes, cancellationToken).ConfigureAwait(false);
    }
}
