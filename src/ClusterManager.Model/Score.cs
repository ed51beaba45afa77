using System.Globalization;

namespace ClusterManager.Model;

/// <summary>
/// A placement score with Pacemaker's arithmetic: integers saturating at ±1,000,000 (INFINITY), where
/// -INFINITY wins over +INFINITY (<c>+INF + -INF = -INF</c>). Addition is commutative but not associative
/// near the bounds, exactly as in Pacemaker (<c>lib/common/scores.c</c>).
/// </summary>
public readonly record struct Score(int Value) : IComparable<Score>
{
    /// <summary>The value Pacemaker calls INFINITY.</summary>
    public const int InfinityValue = 1_000_000;

    public static readonly Score Zero = new(0);
    public static readonly Score Infinity = new(InfinityValue);
    public static readonly Score MinusInfinity = new(-InfinityValue);

    public bool IsInfinity => Value >= InfinityValue;
    public bool IsMinusInfinity => Value <= -InfinityValue;

    /// <summary>Creates a score from any integer, clamped to ±INFINITY.</summary>
    public static Score From(long value) =>
        new((int)Math.Clamp(value, -InfinityValue, InfinityValue));

    /// <summary>Pacemaker's <c>pcmk__add_scores</c>: -INF dominates, then +INF, else the clamped sum.</summary>
    public static Score operator +(Score a, Score b)
    {
        if (a.Value <= -InfinityValue || b.Value <= -InfinityValue)
        {
            return MinusInfinity;
        }

        if (a.Value >= InfinityValue || b.Value >= InfinityValue)
        {
            return Infinity;
        }

        return From((long)a.Value + b.Value);
    }

    public static Score operator -(Score a) => new(-a.Value);

    public static bool operator <(Score a, Score b) => a.Value < b.Value;
    public static bool operator >(Score a, Score b) => a.Value > b.Value;
    public static bool operator <=(Score a, Score b) => a.Value <= b.Value;
    public static bool operator >=(Score a, Score b) => a.Value >= b.Value;

    public int CompareTo(Score other) => Value.CompareTo(other.Value);

    /// <summary>
    /// Parses a score as Pacemaker does: <c>INFINITY</c>, <c>+INFINITY</c>, <c>-INFINITY</c> (case-sensitive),
    /// or an integer (clamped). Unlike Pacemaker, trailing junk is an error rather than silently ignored.
    /// </summary>
    public static bool TryParse(string? text, out Score score)
    {
        score = Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var t = text.Trim();
        switch (t)
        {
            case "INFINITY" or "+INFINITY":
                score = Infinity;
                return true;
            case "-INFINITY":
                score = MinusInfinity;
                return true;
        }

        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            score = From(v);
            return true;
        }

        return false;
    }

    /// <summary>Parses a score or throws <see cref="FormatException"/> naming the text.</summary>
    public static Score Parse(string text) =>
        TryParse(text, out var s) ? s : throw new FormatException($"'{text}' is not a score (an integer, INFINITY or -INFINITY)");

    /// <summary>Prints as Pacemaker does: <c>INFINITY</c>, <c>-INFINITY</c> or the integer.</summary>
    public override string ToString() => Value switch
    {
        >= InfinityValue => "INFINITY",
        <= -InfinityValue => "-INFINITY",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}
