using System.Collections.Immutable;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Editing;

/// <summary>One <c>op ACTION name=value ...</c> of a pcs command line.</summary>
internal sealed record OperationSpec(string Action, ImmutableArray<KeyValuePair<string, string>> Options)
{
    /// <summary>An option's value, or null.</summary>
    public string? this[string name] => Options.LastOrDefault(o => o.Key == name).Value;
}

/// <summary><c>clone [CLONE_ID] [name=value ...]</c> or <c>promotable [CLONE_ID] [name=value ...]</c>.</summary>
internal sealed record CloneSpec(string? Id, bool Promotable, ImmutableArray<KeyValuePair<string, string>> Options);

/// <summary>
/// The free-form tail of <c>resource create</c>, <c>resource update</c> and <c>stonith create/update</c>:
/// <c>[name=value ...] [op ACTION name=value ... [ACTION name=value ...]...] [meta name=value ...]
/// [clone [ID] [name=value ...] | promotable [ID] [name=value ...]]</c>, in pcs's syntax.
/// </summary>
internal sealed record ResourceArguments(
    ImmutableArray<KeyValuePair<string, string>> Instance,
    ImmutableArray<OperationSpec> Operations,
    ImmutableArray<KeyValuePair<string, string>> Meta,
    CloneSpec? Cloning)
{
    private static readonly string[] Keywords = ["op", "meta", "clone", "promotable", "bundle"];

    /// <summary>Reads the tail from <paramref name="args"/> (to its end).</summary>
    /// <exception cref="UsageException">A part is malformed; the message names the token.</exception>
    public static ResourceArguments Parse(ArgumentCursor args, bool allowClone)
    {
        ArgumentNullException.ThrowIfNull(args);
        var instance = args.TakeNameValues().ToBuilder();
        var operations = ImmutableArray.CreateBuilder<OperationSpec>();
        var meta = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        CloneSpec? clone = null;
        while (!args.AtEnd)
        {
            if (args.TakeKeyword("op"))
            {
                if (args.AtEnd || IsKeyword(args.Peek()!))
                {
                    throw new UsageException("'op' needs an operation: op ACTION name=value ... (e.g. op monitor interval=10s)");
                }

                while (!args.AtEnd && !IsKeyword(args.Peek()!))
                {
                    var action = args.Take("operation action");
                    if (action.Contains('=', StringComparison.Ordinal))
                    {
                        throw new UsageException($"'{action}': an operation action is expected after 'op' (e.g. op monitor interval=10s)");
                    }

                    operations.Add(new OperationSpec(action, args.TakeNameValues()));
                }
            }
            else if (args.TakeKeyword("meta"))
            {
                var values = args.TakeNameValues();
                if (values.IsEmpty)
                {
                    throw new UsageException("'meta' needs name=value options (e.g. meta target-role=Stopped)");
                }

                meta.AddRange(values);
            }
            else if (allowClone && (args.Peek() is "clone" or "promotable"))
            {
                var promotable = args.Take("clone") == "promotable";
                if (clone is not null)
                {
                    throw new UsageException("'clone' or 'promotable' may be given only once");
                }

                string? id = null;
                if (!args.AtEnd && !args.Peek()!.Contains('=', StringComparison.Ordinal) && !IsKeyword(args.Peek()!))
                {
                    id = args.Take("clone id");
                }

                clone = new CloneSpec(id, promotable, args.TakeNameValues());
            }
            else if (args.Peek() == "bundle")
            {
                throw new UsageException("bundles are not supported");
            }
            else
            {
                var token = args.Peek()!;
                throw new UsageException(token.StartsWith('-') && token.Length > 1
                    ? $"unknown option '{token}'"
                    : $"unexpected argument '{token}' (expected name=value, op, meta{(allowClone ? ", clone or promotable" : "")})");
            }
        }

        foreach (var pair in instance.Concat(meta))
        {
            CheckName(pair.Key);
        }

        return new ResourceArguments(instance.ToImmutable(), operations.ToImmutable(), meta.ToImmutable(), clone);
    }

    private static bool IsKeyword(string token) => Keywords.Contains(token);

    /// <summary>A name that can be an XML attribute value and an id part.</summary>
    /// <exception cref="UsageException">The name is empty or has characters ids cannot carry.</exception>
    public static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
        {
            throw new UsageException($"'{name}' is not a valid option name");
        }
    }
}

/// <summary>A resource agent's full name: <c>ocf:heartbeat:IPaddr2</c>, <c>systemd:haproxy</c>, <c>stonith:fence_virsh</c>.</summary>
internal sealed record AgentName(string Class, string? Provider, string Type)
{
    /// <summary>The agent classes a CIB primitive may name.</summary>
    public static readonly ImmutableArray<string> Classes = ["ocf", "systemd", "service", "lsb", "stonith"];

    public override string ToString() => Provider is null ? $"{Class}:{Type}" : $"{Class}:{Provider}:{Type}";

    /// <summary>
    /// Parses a full name (<c>STANDARD:[PROVIDER:]TYPE</c>); null when <paramref name="text"/> has no ':' (a bare type,
    /// which the caller resolves against the installed agents).
    /// </summary>
    /// <exception cref="UsageException">The name is malformed or names an unknown class.</exception>
    public static AgentName? ParseFull(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }

        var parts = text.Split(':');
        if (parts.Any(p => p.Length == 0))
        {
            throw new UsageException($"'{text}' is not an agent name: a part is empty (use STANDARD:[PROVIDER:]TYPE, e.g. ocf:heartbeat:IPaddr2)");
        }

        return parts switch
        {
            ["ocf", var provider, var type] => new AgentName("ocf", provider, type),
            ["ocf", ..] => throw new UsageException($"'{text}': ocf agents need a provider: ocf:PROVIDER:TYPE (e.g. ocf:heartbeat:{parts[^1]})"),
            ["systemd" or "service" or "lsb" or "stonith", var type] => new AgentName(parts[0], null, type),
            ["systemd" or "service", .. var rest] => new AgentName(parts[0], null, string.Join(':', rest)),
            [var standard, ..] when !Classes.Contains(standard) =>
                throw new UsageException($"'{text}': unknown standard '{standard}' (use one of {string.Join(", ", Classes)})"),
            _ => throw new UsageException($"'{text}' is not an agent name (use STANDARD:[PROVIDER:]TYPE, e.g. ocf:heartbeat:IPaddr2)"),
        };
    }
}
