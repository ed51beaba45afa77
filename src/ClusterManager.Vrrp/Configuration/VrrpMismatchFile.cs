using System.Globalization;
using ClusterManager.Vrrp.Protocol;

namespace ClusterManager.Vrrp.Configuration;

/// <summary>One peer's disagreement as the host last reported it.</summary>
/// <param name="Peer">The sender's address.</param>
/// <param name="Field">What disagrees.</param>
/// <param name="Expected">Our value.</param>
/// <param name="Received">The peer's value.</param>
/// <param name="LastSeen">When it was last reported (a continuing mismatch is reported every 10 s).</param>
public sealed record VrrpMismatchLine(string Peer, VrrpMismatchField Field, string Expected, string Received, DateTimeOffset LastSeen)
{
    /// <summary>The short form the cluster shows: <c>peer 198.18.0.12 field Password</c>.</summary>
    public string Describe() => $"peer {Peer} field {Field}";
}

/// <summary>
/// The <c>&lt;instance&gt;.mismatch</c> file cm-vrrpd keeps in its state directory beside <c>&lt;instance&gt;.state</c>:
/// one tab-separated line per peer and field (peer, field, expected, received, unix milliseconds last seen), replaced
/// atomically. The resource agent reads it to publish mismatches as a node attribute.
/// </summary>
public static class VrrpMismatchFile
{
    /// <summary>The file name's extension after the instance name.</summary>
    public const string Extension = ".mismatch";

    /// <summary>The state file's extension (<c>MASTER</c>, <c>BACKUP</c>, <c>FAULT</c> or <c>STOP</c> and a newline).</summary>
    public const string StateExtension = ".state";

    /// <summary>
    /// How long a mismatch counts as current after its last report: the state machine repeats a report every
    /// <see cref="VrrpStateMachine.MismatchReportInterval"/> while adverts keep disagreeing, so 2.5 of those.
    /// </summary>
    public static readonly TimeSpan Validity = VrrpStateMachine.MismatchReportInterval * 2.5;

    /// <summary>Writes <paramref name="lines"/> to <paramref name="path"/> (through a temporary file and a rename).</summary>
    public static void Write(string path, IEnumerable<VrrpMismatchLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var text = string.Concat(lines
            .OrderBy(l => l.Peer, StringComparer.Ordinal).ThenBy(l => l.Field)
            .Select(l => string.Create(CultureInfo.InvariantCulture,
                $"{l.Peer}\t{l.Field}\t{Clean(l.Expected)}\t{Clean(l.Received)}\t{l.LastSeen.ToUnixTimeMilliseconds()}\n")));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The lines of <paramref name="path"/>; empty when it does not exist. Malformed lines are skipped.</summary>
    public static IReadOnlyList<VrrpMismatchLine> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        return Parse(text);
    }

    /// <summary>Parses the file's text (see <see cref="VrrpMismatchFile"/>).</summary>
    public static IReadOnlyList<VrrpMismatchLine> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<VrrpMismatchLine>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            if (f.Length == 5 && Enum.TryParse<VrrpMismatchField>(f[1], out var field)
                && long.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                result.Add(new VrrpMismatchLine(f[0], field, f[2], f[3], DateTimeOffset.FromUnixTimeMilliseconds(ms)));
            }
        }

        return result;
    }

    /// <summary>
    /// The attribute text for the mismatches still current at <paramref name="now"/>: <c>peer A field F</c> entries
    /// joined with <c>"; "</c>, null when there are none.
    /// </summary>
    public static string? Summary(IEnumerable<VrrpMismatchLine> lines, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var current = lines.Where(l => now - l.LastSeen <= Validity)
            .OrderBy(l => l.Peer, StringComparer.Ordinal).ThenBy(l => l.Field)
            .Select(l => l.Describe()).ToList();
        return current.Count == 0 ? null : string.Join("; ", current);
    }

    private static string Clean(string value) => value.Replace('\t', ' ').Replace('\n', ' ');
}
