using System.Text.Json.Nodes;
using ClusterManager.Agents.Vrrp;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;
using ClusterManager.Vrrp.Configuration;

namespace ClusterManager.Cli.Commands.Vrrp;

/// <summary>
/// <c>hactl vrrp import keepalived.conf</c>: a keepalived user's move in one step. Each <c>vrrp_instance</c> (with the
/// <c>vrrp_script</c>s it tracks) becomes an <c>ocf:clustermanager:vrrp</c> primitive cloned on every node, built
/// with <c>resource create</c>'s code (<see cref="ResourceXml"/>) and created in one change.
/// </summary>
internal static class VrrpCommands
{
    /// <summary>The agent every imported resource uses.</summary>
    public static readonly AgentName Agent = new("ocf", "clustermanager", "vrrp");

    /// <summary>Every vrrp command.</summary>
    public static IEnumerable<CommandDefinition> All => [Import];

    private const string ImportUsage = """
        Usage: hactl vrrp import FILE [--dry-run] [--disabled] [--output text|json]

        Turns the vrrp_script and vrrp_instance blocks of a keepalived.conf (FILE, or - for standard input) into
        ocf:clustermanager:vrrp resources, one per instance, each cloned on every node (id: the instance name; clone:
        NAME-clone), all created in one change. Every keepalived keyword that is not carried over is listed; a
        configuration that cannot be carried over safely (sync groups, AH authentication) is refused.

        keepalived gives each node its own priority in its own file; the imported clone runs the priority of FILE on
        every node (equal priorities elect the node with the highest address). On each node the role is the node
        attribute vrrp-NAME-master (1 on the master), e.g. for: hactl constraint location HAProxy rule score=INFINITY
        vrrp-VI_1-master eq 1

          --dry-run          print the hactl commands that would create the resources; the cluster is not contacted
          --disabled         create the clones stopped (meta target-role=Stopped), to start them once keepalived is off
          --output json      the resources, commands and what was not carried over as JSON

        Example: hactl vrrp import /etc/keepalived/keepalived.conf --dry-run
        """;

    private static readonly CommandDefinition Import = ClusterCommand.Define(
        ["vrrp", "import"], "create VRRP resources from a keepalived.conf", ImportUsage, ImportAsync);

    /// <summary>One resource the import creates.</summary>
    internal sealed record ImportedResource(string Id, string CloneId, IReadOnlyList<KeyValuePair<string, string>> Parameters)
    {
        /// <summary>The <c>hactl resource create</c> command that creates it, quoted for a POSIX shell.</summary>
        public string Command(bool disabled) => string.Join(' ',
            new[] { "hactl", "resource", "create", Id, Agent.ToString() }
                .Concat(Parameters.Select(p => $"{p.Key}={p.Value}"))
                .Append("clone")
                .Concat(disabled ? ["--disabled"] : Array.Empty<string>())
                .Select(Quote));
    }

    /// <summary>What a keepalived.conf becomes: the resources, or the errors; and the keywords not carried over.</summary>
    internal sealed record ImportPlan(IReadOnlyList<ImportedResource> Resources, IReadOnlyList<string> Errors, IReadOnlyList<string> NotImported);

    /// <summary>Plans the import of <paramref name="text"/> (pure: no cluster, no files).</summary>
    public static ImportPlan Plan(string text)
    {
        var result = KeepalivedConfImporter.Import(text);
        if (result.Config is not { } config)
        {
            return new ImportPlan([], result.Errors, result.Warnings);
        }

        var errors = new List<string>();
        var resources = new List<ImportedResource>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in config.Instances)
        {
            var id = CibEdit.Sanitize(instance.Name);
            if (id.Length == 0 || !ids.Add(id) || !ids.Add(id + "-clone"))
            {
                errors.Add($"vrrp_instance {instance.Name}: its name does not give a unique resource id");
                continue;
            }

            resources.Add(new ImportedResource(id, id + "-clone", VrrpAgentParameters.ToParameters(instance, config.Scripts)));
        }

        foreach (var duplicate in config.Instances.GroupBy(i => (i.Interface, i.Vrid)).Where(g => g.Count() > 1))
        {
            errors.Add($"vrrp_instance {string.Join(", ", duplicate.Select(i => i.Name))}: the same virtual_router_id {duplicate.Key.Vrid} on {duplicate.Key.Interface}");
        }

        return new ImportPlan(errors.Count == 0 ? resources : [], errors, result.Warnings);
    }

    private static async Task<int> ImportAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var dryRun = args.TakeFlag("--dry-run");
        var disabled = args.TakeFlag("--disabled");
        var format = ClusterCommand.TakeFormat(args);
        var file = args.Take("keepalived.conf file");
        args.EnsureEnd();

        string text;
        try
        {
            text = file == "-"
                ? await call.Context.Host.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                : await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return call.BadInput($"cannot read {file}: {e.Message}");
        }

        var plan = Plan(text);
        if (plan.Errors.Count > 0)
        {
            foreach (var error in plan.Errors)
            {
                call.Error.Write($"error: {file}: {error}\n");
            }

            WriteNotImported(call.Error, plan.NotImported);
            return ExitCodes.BadInput;
        }

        if (plan.Resources.Count == 0)
        {
            return call.BadInput($"{file} has no vrrp_instance");
        }

        if (!dryRun)
        {
            var code = await CreateAsync(call, plan.Resources, disabled, cancellationToken).ConfigureAwait(false);
            if (code != ExitCodes.Ok)
            {
                return code;
            }
        }

        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonObject
            {
                ["created"] = !dryRun,
                ["resources"] = new JsonArray([.. plan.Resources.Select(r => (JsonNode)new JsonObject
                {
                    ["id"] = r.Id,
                    ["clone_id"] = r.CloneId,
                    ["agent"] = Agent.ToString(),
                    ["parameters"] = new JsonObject(r.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                    ["command"] = r.Command(disabled),
                })]),
                ["not_imported"] = new JsonArray([.. plan.NotImported.Select(w => (JsonNode)JsonValue.Create(w))]),
            });
            return ExitCodes.Ok;
        }

        foreach (var resource in plan.Resources)
        {
            call.Out.Write(dryRun ? resource.Command(disabled) + "\n" : $"Created {resource.Id} ({Agent}), cloned as {resource.CloneId}\n");
        }

        WriteNotImported(call.Error, plan.NotImported);
        return ExitCodes.Ok;
    }

    /// <summary>The resources with <c>resource create</c>'s default operations, in one edit; refused when an id is taken.</summary>
    private static async Task<int> CreateAsync(ClusterCall call, IReadOnlyList<ImportedResource> resources, bool disabled, CancellationToken cancellationToken)
    {
        var lookup = AgentLookup.For(call.Context.Host, call.Context.Time);
        var info = await lookup.DescribeAsync(Agent, cancellationToken).ConfigureAwait(false);
        var operations = ResourceXml.WithDefaults([], info, stonith: false, noDefaults: false);
        return await ClusterCommand.EditAsync(call, state =>
        {
            var ids = CibEdit.AllIds(state.Cib);
            var changes = new List<Change>();
            foreach (var resource in resources)
            {
                if (ids.Contains(resource.Id) || ids.Contains(resource.CloneId))
                {
                    return EditPlan.Fail($"'{(ids.Contains(resource.Id) ? resource.Id : resource.CloneId)}' already exists; nothing was imported");
                }

                ids.Add(resource.Id);
                var primitive = ResourceXml.Primitive(resource.Id, Agent, resource.Parameters, [], ids);
                ResourceXml.SetOperations(primitive, operations, ids);
                var clone = ResourceXml.Clone(primitive, new CloneSpec(resource.CloneId, Promotable: false, []), ids);
                if (disabled)
                {
                    CibEdit.SetPairs(clone, "meta_attributes", [new("target-role", "Stopped")], ids);
                }

                changes.Add(Changes.PutResource(clone, WriteMode.Create));
            }

            return EditPlan.Of(changes);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void WriteNotImported(TextWriter writer, IReadOnlyList<string> notImported)
    {
        foreach (var line in notImported)
        {
            writer.Write($"warning: not carried over: {line}\n");
        }
    }

    /// <summary>Single-quotes <paramref name="word"/> for a POSIX shell when it holds anything but safe characters.</summary>
    internal static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "_-./:=,@+%".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
