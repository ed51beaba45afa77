using ClusterManager.Agents;

namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// <c>hactl resource standards|providers|agents|list|describe</c>: what resource agents this node has and what they
/// take, read from the agents themselves (no cluster needed), printed as pcs does.
/// </summary>
internal static class AgentDiscoveryCommands
{
    public const string StandardsUsage = """
        Usage: hactl resource standards

        Lists the resource agent standards available on this node: ocf (scripts under /usr/lib/ocf and
        ClusterManager's native agents), systemd (when systemd runs as init), stonith (when fence agents are
        installed).

        """;

    public const string ProvidersUsage = """
        Usage: hactl resource providers

        Lists the OCF providers on this node (directories under /usr/lib/ocf/resource.d, and clustermanager for the
        native agents).

        """;

    public const string AgentsUsage = """
        Usage: hactl resource agents [STANDARD[:PROVIDER]]

        Lists the agents of a standard (ocf, systemd, stonith) or of one OCF provider (ocf:heartbeat); with no
        argument, every resource agent (not fence agents). Exit status 1 when none is found.

        """;

    public const string ListUsage = """
        Usage: hactl resource list [FILTER] [--nodesc]

        Lists the resource agents (STANDARD:PROVIDER:TYPE) with their short description, read from each agent's
        meta-data. FILTER keeps the agents whose full name contains it (case-insensitive).

          --nodesc   names only (does not run every agent)

        """;

    public const string DescribeUsage = """
        Usage: hactl resource describe [STANDARD:[PROVIDER:]]TYPE [--full] [--output text|json]

        Shows an agent's description, its parameters (required, unique, default value) and the operations
        'resource create' adds by default with their timeouts, e.g. ocf:heartbeat:IPaddr2, systemd:haproxy,
        ocf:clustermanager:IPaddr2. A TYPE alone is accepted when exactly one agent has that type.

          --full           also advanced and deprecated parameters
          -o, --output F   text (default) or json (all parameters, with pcs's field names)

        """;

    public static Task<int> StandardsAsync(CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        context.Args.EnsureEnd();
        WriteLines(context.Out, agents.Standards());
        return Task.FromResult(ExitCodes.Ok);
    }

    public static Task<int> ProvidersAsync(CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        context.Args.EnsureEnd();
        WriteLines(context.Out, agents.Providers());
        return Task.FromResult(ExitCodes.Ok);
    }

    public static Task<int> AgentsAsync(CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var spec = args.AtEnd ? null : args.Take("standard");
        args.EnsureEnd();
        IReadOnlyList<string> types;
        if (spec is null)
        {
            // As pcs: every standard but stonith; a type offered by two providers is listed twice.
            types = [.. agents.AllResourceAgents().Select(a => a.Type)];
        }
        else
        {
            var trimmed = spec.TrimEnd(':');
            var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
            var (standard, provider) = colon < 0 ? (trimmed, null) : (trimmed[..colon], trimmed[(colon + 1)..]);
            types = standard == LocalAgents.StonithClass && provider is null
                ? agents.FenceAgents()
                : [.. (agents.ResourceAgents(standard, provider) ?? []).Select(a => a.Type)];
        }

        if (types.Count == 0)
        {
            context.Error.Write(spec is null
                ? "error: No resource agents available. Do you have resource agents installed?\n"
                : $"error: No agents found for {spec}\n");
            return Task.FromResult(ExitCodes.Failure);
        }

        WriteLines(context.Out, types.Order(LocalAgents.CaseInsensitiveFirst));
        return Task.FromResult(ExitCodes.Ok);
    }

    public static async Task<int> ListAsync(CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var noDescription = args.TakeFlag("--nodesc");
        var filter = args.AtEnd ? null : args.Take("filter");
        args.EnsureEnd();
        var names = agents.AllResourceAgents().Where(a => Matches(a.ToString(), filter)).ToList();
        if (names.Count == 0)
        {
            context.Error.Write(filter is null
                ? "error: No resource agents available. Do you have resource agents installed?\n"
                : "error: No resource agents matching the filter.\n");
            return ExitCodes.Failure;
        }

        var descriptions = noDescription
            ? new string?[names.Count]
            : await DescribeAllAsync(names, async (name, ct) =>
            {
                var (metadata, problem) = await agents.GetMetadataAsync(name, ct).ConfigureAwait(false);
                return (metadata?.ShortDescription, problem);
            }, context, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < names.Count; i++)
        {
            AgentListWriter.WriteEntry(context.Out, names[i].ToString(), descriptions[i]);
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> DescribeAsync(CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        var (full, json) = TakeDescribeOptions(context.Args);
        var text = context.Args.Take("agent name");
        context.Args.EnsureEnd();
        if (text.StartsWith(LocalAgents.StonithClass + ":", StringComparison.Ordinal))
        {
            context.Error.Write($"error: '{text}' is a fence agent: use 'hactl stonith describe {text[(LocalAgents.StonithClass.Length + 1)..]}'\n");
            return ExitCodes.BadInput;
        }

        ResourceAgentName name;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            name = ParseAgentName(text);
        }
        else
        {
            var matches = agents.AllResourceAgents().Where(a => a.Type.Equals(text, StringComparison.OrdinalIgnoreCase)).ToList();
            switch (matches.Count)
            {
                case 0:
                    context.Error.Write($"error: Unable to find agent '{text}', try specifying its full name\n");
                    return ExitCodes.Failure;
                case > 1:
                    context.Error.Write($"error: Multiple agents match '{text}', please specify full name: {QuotedList(matches.Select(m => m.ToString()))}\n");
                    return ExitCodes.Failure;
            }

            name = matches[0];
            context.Error.Write($"Assumed agent name '{name}' (deduced from '{text}')\n");
        }

        var (metadata, problem) = await agents.GetMetadataAsync(name, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            context.Error.Write($"error: Agent '{name}' is not installed or does not provide valid metadata: {problem}\n");
            return ExitCodes.Failure;
        }

        Write(context.Out, AgentDescription.FromResource(name, metadata), full, json);
        return ExitCodes.Ok;
    }

    /// <summary>Parses a full agent name, turning the library's complaint into a usage error.</summary>
    public static ResourceAgentName ParseAgentName(string text)
    {
        try
        {
            return ResourceAgentName.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"invalid resource agent name: {e.Message}");
        }
    }

    /// <summary>Takes <c>--full</c> and <c>--output text|json</c>.</summary>
    public static (bool Full, bool Json) TakeDescribeOptions(ArgumentCursor args)
    {
        var full = args.TakeFlag("--full");
        var format = args.TakeOption("--output", "-o", "--output-format") ?? "text";
        return format switch
        {
            "text" => (full, false),
            "json" => (full, true),
            _ => throw new UsageException($"unknown output format '{format}' (use text or json)"),
        };
    }

    /// <summary>Writes a description as text or JSON.</summary>
    public static void Write(TextWriter writer, AgentDescription description, bool full, bool json)
    {
        if (json)
        {
            AgentDescriptionWriter.WriteJson(writer, description);
        }
        else
        {
            AgentDescriptionWriter.WriteText(writer, description, full);
        }
    }

    /// <summary>Whether <paramref name="name"/> passes a list filter (substring, case-insensitive).</summary>
    public static bool Matches(string name, string? filter) =>
        filter is null || name.Contains(filter, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs <paramref name="describe"/> for every item, a few at a time (each runs an agent process), and returns
    /// the descriptions in item order; an agent that gives none is listed by its name alone, with a warning on
    /// stderr (pcs leaves it out).
    /// </summary>
    public static async Task<string?[]> DescribeAllAsync<T>(
        IReadOnlyList<T> items, Func<T, CancellationToken, Task<(string? Description, string? Problem)>> describe,
        CommandContext context, CancellationToken cancellationToken)
        where T : notnull
    {
        var results = new (string? Description, string? Problem)[items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount * 2), CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await describe(items[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        for (var i = 0; i < items.Count; i++)
        {
            if (results[i].Problem is { } problem)
            {
                context.Error.Write($"warning: Agent '{items[i]}' is not installed or does not provide valid metadata: {problem}\n");
            }
        }

        return [.. results.Select(r => r.Description)];
    }

    private static string QuotedList(IEnumerable<string> items)
    {
        var quoted = items.Select(i => $"'{i}'").ToList();
        return quoted.Count < 2 ? string.Concat(quoted) : $"{string.Join(", ", quoted[..^1])} or {quoted[^1]}";
    }

    private static void WriteLines(TextWriter writer, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            writer.Write(line + "\n");
        }
    }
}
