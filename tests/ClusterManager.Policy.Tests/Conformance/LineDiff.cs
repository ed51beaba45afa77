using System.Collections.Immutable;

namespace ClusterManager.Policy.Tests.Conformance;

/// <summary>A small line diff (longest common subsequence) for compact failure messages.</summary>
public static class LineDiff
{
    /// <summary>
    /// "- line" for lines only in <paramref name="expected"/>, "+ line" for lines only in <paramref name="actual"/>,
    /// in order; lines are equal when <paramref name="key"/> gives the same value.
    /// </summary>
    public static ImmutableArray<string> Diff(IReadOnlyList<string> expected, IReadOnlyList<string> actual, Func<string, string> key)
    {
        var a = expected.Select(key).ToArray();
        var b = actual.Select(key).ToArray();
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var result = ImmutableArray.CreateBuilder<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                result.Add("- " + expected[x++]);
            }
            else
            {
                result.Add("+ " + actual[y++]);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>The first <paramref name="limit"/> diff lines, then how many more there are.</summary>
    public static string Compact(IReadOnlyList<string> diff, int limit = 15) =>
        string.Join('\n', diff.Take(limit)) + (diff.Count > limit ? $"\n... {diff.Count - limit} more" : "");
}
