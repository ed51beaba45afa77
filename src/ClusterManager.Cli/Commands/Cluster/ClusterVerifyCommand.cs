using System.Text.Json.Nodes;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Output;
using ClusterManager.Model.Validation;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster verify [-V] [FILE]</c> (pcs cluster verify, crm_verify -L): checks the configuration of the running
/// cluster, or of a CIB file, for what Pacemaker would reject or probably not do as meant, and what the policy engine
/// warns about, including nodes that fencing cannot reach.
/// </summary>
internal static class ClusterVerifyCommand
{
    private const string Usage = """
        Usage: hactl cluster verify [-V] [--output text|json] [FILE]

        Checks the configuration of the running cluster (or of the CIB in FILE, as hactl -f FILE cluster verify):
        errors (what Pacemaker would reject or ignore: a constraint naming a missing resource, a bad score, an
        invalid option value...), warnings (unknown option names, constraints on unknown nodes, nodes no fence
        device can fence while fencing is on) and the policy engine's own warnings. Prints nothing when all is
        well; -V also prints what was checked; --output json gives {valid, errors, warnings}. Exit 0 without errors,
        1 with errors.
        """;

    public static readonly CommandDefinition Definition = ClusterCommand.Define(
        ["cluster", "verify"], "check the configuration for errors (crm_verify)", Usage, RunAsync);

    private static async Task<int> RunAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var verbose = call.Args.TakeFlag("-V", "--verbose");
        var json = ClusterCommand.TakeFormat(call.Args) == OutputFormat.Json;
        var file = call.Args.AtEnd ? null : call.Args.Take("file");
        call.Args.EnsureEnd();
        LiveCluster live;
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                return call.BadInput($"{file}: no such file");
            }

            using var backend = new FileCluster(file, call.Client.Author, call.Context.Time);
            live = await LiveCluster.ReadAsync(backend, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        }

        var configuration = live.Snapshot.Configuration;
        var errors = new List<string>();
        var warnings = new List<string>();
        foreach (var issue in ConfigurationValidator.Validate(configuration))
        {
            (issue.Severity == IssueSeverity.Error ? errors : warnings).Add($"{issue.ElementPath}: {issue.Message}");
        }

        if (live.EngineError is { } engineError)
        {
            errors.Add($"the policy engine cannot schedule this configuration: {engineError}");
        }

        warnings.AddRange(live.Transition?.Warnings ?? []);
        warnings.AddRange(LiveStatusWriter.Warnings(configuration));
        warnings.AddRange(FencingCoverage.Warnings(configuration, LiveStatusWriter.Nodes(live).Select(n => n.Name), unverifiable: false));
        if (json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonObject
            {
                ["valid"] = errors.Count == 0,
                ["errors"] = new JsonArray([.. errors.Select(e => (JsonNode?)JsonValue.Create(e))]),
                ["warnings"] = new JsonArray([.. warnings.Distinct(StringComparer.Ordinal).Select(w => (JsonNode?)JsonValue.Create(w))]),
            });
            return errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }

        foreach (var error in errors)
        {
            call.Out.Write($"error: {error}\n");
        }

        foreach (var warning in warnings.Distinct(StringComparer.Ordinal))
        {
            call.Out.Write($"warning: {warning}\n");
        }

        if (verbose)
        {
            call.Out.Write($"Checked {file ?? "the cluster's configuration"} (epoch {live.State.Epoch}): {configuration.AllPrimitives().Count()} primitives, "
                           + $"{configuration.Constraints.Length} constraints, {LiveStatusWriter.Nodes(live).Count} nodes: "
                           + $"{Count(errors.Count, "error")}, {Count(warnings.Count, "warning")}\n");
        }

        if (errors.Count > 0)
        {
            call.Error.Write("error: the configuration is not valid (errors above)\n");
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
}
