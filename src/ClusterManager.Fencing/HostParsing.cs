using System.Collections.Immutable;

namespace ClusterManager.Fencing;

/// <summary>
/// Parsers for the Pacemaker device parameters that name nodes: <c>pcmk_host_list</c>, <c>pcmk_host_map</c>,
/// per-target <c>pcmk_delay_base</c>, and the output of an agent's <c>list</c> action.
/// Node names compare case-insensitively, as in Pacemaker's fencer.
/// </summary>
public static class HostParsing
{
    private static readonly char[] ListSeparators = [' ', '\t', '\r', '\n', ',', ';'];
    private static readonly char[] MapSeparators = [';', ' ', '\t', '\r', '\n'];

    /// <summary>
    /// <c>pcmk_host_list</c>: names separated by whitespace, <c>,</c> or <c>;</c>. Duplicates are dropped,
    /// first occurrence order kept.
    /// </summary>
    public static ImmutableArray<string> ParseList(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = ImmutableArray.CreateBuilder<string>();
        foreach (var name in text.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (seen.Add(name))
            {
                result.Add(name);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// <c>pcmk_host_map</c> as Pacemaker reads it (<c>build_port_aliases</c>): mappings separated by <c>;</c> or
    /// whitespace, each <c>node:port</c> (or the deprecated <c>node=port</c>), split at the first <c>:</c> or
    /// <c>=</c>. The port may hold commas (<c>node2:2,3</c>) and is passed to the agent as written. A later mapping
    /// of the same node wins. Unlike Pacemaker, which logs and skips a malformed mapping, this throws
    /// <see cref="FormatException"/> naming it, so a typo is caught when the device is configured.
    /// </summary>
    public static ImmutableDictionary<string, string> ParseMap(string? text)
    {
        var result = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(text))
        {
            return result.ToImmutable();
        }

        foreach (var mapping in text.Split(MapSeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            var cut = mapping.IndexOfAny([':', '=']);
            if (cut <= 0 || cut == mapping.Length - 1)
            {
                throw new FormatException(
                    $"pcmk_host_map: malformed mapping '{mapping}' (expected node:port, mappings separated by ';')");
            }

            result[mapping[..cut]] = mapping[(cut + 1)..];
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// <c>pcmk_delay_base</c>: either one duration for every target (<c>5s</c>) or per target
    /// (<c>node1:0;node2:10s</c>, targets not listed get zero). Throws <see cref="FormatException"/> naming the
    /// bad part.
    /// </summary>
    public static (TimeSpan Default, ImmutableDictionary<string, TimeSpan> PerTarget) ParseDelayBase(string? text)
    {
        var perTarget = ImmutableDictionary.CreateBuilder<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (TimeSpan.Zero, perTarget.ToImmutable());
        }

        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return (ParseDuration("pcmk_delay_base", text.Trim()), perTarget.ToImmutable());
        }

        foreach (var mapping in text.Split(MapSeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            var cut = mapping.IndexOf(':', StringComparison.Ordinal);
            if (cut <= 0 || cut == mapping.Length - 1)
            {
                throw new FormatException(
                    $"pcmk_delay_base: malformed mapping '{mapping}' (expected node:delay, separated by ';')");
            }

            perTarget[mapping[..cut]] = ParseDuration("pcmk_delay_base", mapping[(cut + 1)..]);
        }

        return (TimeSpan.Zero, perTarget.ToImmutable());
    }

    /// <summary>
    /// The targets in the output of an agent's <c>list</c> action (Pacemaker's <c>stonith__parse_targets</c>):
    /// words split by whitespace, <c>,</c> or <c>;</c>; lines mentioning "invalid" or "variable" are dropped, as
    /// are the words "on" and "off"; each word is cut at its first character outside <c>[A-Za-z0-9._-]</c>.
    /// </summary>
    public static ImmutableArray<string> ParseListOutput(string output)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = ImmutableArray.CreateBuilder<string>();
        foreach (var line in output.Split('\n'))
        {
            if (line.Contains("invalid", StringComparison.OrdinalIgnoreCase) ||
                line.Contains("variable", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var word in line.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries))
            {
                var end = 0;
                while (end < word.Length && (char.IsAsciiLetterOrDigit(word[end]) || word[end] is '.' or '_' or '-'))
                {
                    end++;
                }

                var name = word[..end];
                if (name.Length == 0 || name.Equals("on", StringComparison.OrdinalIgnoreCase) ||
                    name.Equals("off", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (seen.Add(name))
                {
                    result.Add(name);
                }
            }
        }

        return result.ToImmutable();
    }

    internal static TimeSpan ParseDuration(string parameter, string text) =>
        Model.Durations.TryParse(text, out var value)
            ? value
            : throw new FormatException(
                $"{parameter}: '{text}' is not a duration (seconds with an optional unit ms, s, m, h, or ISO 8601 like PT10S)");
}
