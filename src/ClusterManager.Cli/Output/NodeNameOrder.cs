namespace ClusterManager.Cli.Output;

/// <summary>
/// The order in which Pacemaker lists node names (<c>pcmk__numeric_strcasecmp</c>): case-insensitive, with runs
/// of digits compared as numbers, so <c>node9</c> sorts before <c>node10</c>; at equal value the shorter digit
/// run (<c>7</c> before <c>007</c>) comes first.
/// </summary>
public sealed class NodeNameOrder : IComparer<string>
{
    /// <summary>The shared instance.</summary>
    public static readonly NodeNameOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var endX = DigitsEnd(x, i);
                var endY = DigitsEnd(y, j);
                var byValue = CompareDigitRuns(x.AsSpan(i, endX - i), y.AsSpan(j, endY - j));
                if (byValue != 0)
                {
                    return byValue;
                }

                if (endX - i != endY - j)
                {
                    return endX - i < endY - j ? -1 : 1;
                }

                i = endX;
                j = endY;
                continue;
            }

            var a = char.ToLowerInvariant(x[i]);
            var b = char.ToLowerInvariant(y[j]);
            if (a != b)
            {
                return a < b ? -1 : 1;
            }

            i++;
            j++;
        }

        if (i < x.Length)
        {
            return 1;
        }

        return j < y.Length ? -1 : 0;
    }

    private static int DigitsEnd(string s, int start)
    {
        var end = start;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        return end;
    }

    // Compares two digit runs by numeric value without overflowing (leading zeros ignored).
    private static int CompareDigitRuns(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        if (a.Length != b.Length)
        {
            return a.Length < b.Length ? -1 : 1;
        }

        return Math.Sign(a.SequenceCompareTo(b));
    }
}
