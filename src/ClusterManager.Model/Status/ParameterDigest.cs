using System.Security.Cryptography;
using System.Text;

namespace ClusterManager.Model.Status;

/// <summary>
/// The digests an operation's history records (<c>op-digest</c>, <c>op-restart-digest</c>): computed by the node
/// that ran the operation and recomputed by the policy engine from the configuration, to find out whether the
/// parameters changed since. Pacemaker's format, so CIBs move between the two.
/// </summary>
public static class ParameterDigest
{
    /// <summary>
    /// Pacemaker's operation digest: MD5 over <c>" &lt;parameters a="1" b="2"/&gt;\n"</c>, parameters sorted by name.
    /// </summary>
    public static string Compute(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);

        // Sorted by name with a stable insertion sort: parameter lists are short, and this runs for every resource.
        var sorted = parameters.ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            var item = sorted[i];
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(sorted[j].Key, item.Key) > 0)
            {
                sorted[j + 1] = sorted[j];
                j--;
            }

            sorted[j + 1] = item;
        }

        var text = new StringBuilder(" <parameters", 64);
        foreach (var (name, value) in sorted)
        {
            text.Append(' ').Append(name).Append("=\"").Append(EscapeAttribute(value)).Append('"');
        }

        text.Append("/>\n");
        var chars = text.ToString();
        var length = Encoding.UTF8.GetMaxByteCount(chars.Length);
        var bytes = length <= 1024 ? stackalloc byte[1024] : new byte[length];
        var count = Encoding.UTF8.GetBytes(chars, bytes);
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(bytes[..count], hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// What an agent that supports reloads records with a one-off operation (the controller's append_restart_list):
    /// <c>op-force-restart</c>, the parameters a reload cannot apply in Pacemaker's layout (<c>"  a b  "</c>), and
    /// <c>op-restart-digest</c>, the digest of those of them the operation was given.
    /// </summary>
    /// <param name="restartParameters">The agent's parameters that need a restart, in meta-data order.</param>
    /// <param name="given">The operation's parameters.</param>
    public static (string ForceRestart, string RestartDigest) Restart(IEnumerable<string> restartParameters, IReadOnlyDictionary<string, string> given)
    {
        ArgumentNullException.ThrowIfNull(restartParameters);
        ArgumentNullException.ThrowIfNull(given);
        var names = restartParameters.ToList();
        var list = names.Count == 0 ? string.Empty : "  " + string.Join(' ', names) + "  ";
        var digest = Compute(names.Distinct(StringComparer.Ordinal)
            .Where(given.ContainsKey)
            .Select(name => KeyValuePair.Create(name, given[name])));
        return (list, digest);
    }

    /// <summary>The names in an <c>op-force-restart</c> value.</summary>
    public static IReadOnlySet<string> RestartNames(string forceRestart) =>
        (forceRestart ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    private static string EscapeAttribute(string value) => value
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}
