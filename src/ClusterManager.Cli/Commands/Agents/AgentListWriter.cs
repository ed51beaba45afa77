using System.Text;

namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// Prints <c>NAME - DESCRIPTION</c> lines as pcs's <c>resource list</c> / <c>stonith list</c> do: the description's
/// whitespace collapsed, wrapped at 80 columns with continuation lines indented under its start.
/// </summary>
internal static class AgentListWriter
{
    /// <summary>The width pcs wraps to when the output is not a terminal.</summary>
    public const int Width = 80;

    /// <summary>Writes one entry; the bare name when there is no description.</summary>
    public static void WriteEntry(TextWriter writer, string name, string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            writer.Write(name + "\n");
            return;
        }

        var prefix = name + " - ";
        var lines = Wrap(description, Width - prefix.Length < 1 ? Width : Width - prefix.Length);
        var text = new StringBuilder(prefix);
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                text.Append(' ', prefix.Length);
            }

            text.Append(lines[i]).Append('\n');
        }

        writer.Write(text.ToString());
    }

    /// <summary>
    /// Python's <c>textwrap.wrap</c> (which pcs uses) on whitespace-collapsed text: greedy filling; a hyphenated word
    /// may break after a hyphen between letters; a chunk longer than a whole line is cut to fill the current line.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var chunks = new List<string>();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (chunks.Count > 0)
            {
                chunks.Add(" ");
            }

            chunks.AddRange(HyphenatedParts(word));
        }

        var lines = new List<string>();
        var i = 0;
        while (i < chunks.Count)
        {
            if (chunks[i] == " " && lines.Count > 0)
            {
                i++;
                continue;
            }

            var line = new StringBuilder();
            while (i < chunks.Count && line.Length + chunks[i].Length <= width)
            {
                line.Append(chunks[i++]);
            }

            if (i < chunks.Count && chunks[i].Length > width)
            {
                var room = width - line.Length;
                line.Append(chunks[i][..room]);
                chunks[i] = chunks[i][room..];
            }

            var finished = line.ToString().TrimEnd(' ');
            if (finished.Length > 0)
            {
                lines.Add(finished);
            }
        }

        return lines;
    }

    // textwrap's wordsep_re: a word breaks after a hyphen that follows two letters (or letter-hyphen-letter) and
    // precedes a letter, an optional hyphen and a letter ("docker-" "compose."). Letters include '_' there.
    private static IEnumerable<string> HyphenatedParts(string word)
    {
        static bool Letter(string w, int at) => at >= 0 && at < w.Length && (char.IsLetter(w[at]) || w[at] == '_');
        static bool Hyphen(string w, int at) => at >= 0 && at < w.Length && w[at] == '-';

        var start = 0;
        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] != '-' || i == start)
            {
                continue;
            }

            var before = (Letter(word, i - 1) && Letter(word, i - 2))
                || (Letter(word, i - 1) && Hyphen(word, i - 2) && Letter(word, i - 3));
            var after = Letter(word, i + 1)
                && (Letter(word, i + 2) || (Hyphen(word, i + 2) && Letter(word, i + 3)));
            if (before && after)
            {
                yield return word[start..(i + 1)];
                start = i + 1;
            }
        }

        yield return word[start..];
    }
}
