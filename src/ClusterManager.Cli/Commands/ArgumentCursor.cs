using System.Collections.Immutable;

namespace ClusterManager.Cli.Commands;

/// <summary>
/// The arguments of one command, consumed piece by piece. Options (<c>--name VALUE</c>, <c>--name=VALUE</c>,
/// <c>-x VALUE</c>, flags) may appear anywhere, as in pcs; <c>--</c> ends them. What remains are positional
/// tokens read in order, including pcs's free-form tails such as
/// <c>NAME AGENT k=v ... op monitor interval=10s ... meta k=v</c>.
/// </summary>
public sealed class ArgumentCursor
{
    private readonly List<string> _tokens;
    private int _endOfOptions;
    private int _position;

    public ArgumentCursor(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = [.. tokens];
        _endOfOptions = _tokens.IndexOf("--");
        if (_endOfOptions >= 0)
        {
            _tokens.RemoveAt(_endOfOptions);
        }
        else
        {
            _endOfOptions = _tokens.Count;
        }
    }

    /// <summary>Whether every positional token has been read.</summary>
    public bool AtEnd => _position >= _tokens.Count;

    /// <summary>The tokens not consumed yet.</summary>
    public IReadOnlyList<string> Remaining => _tokens.GetRange(_position, _tokens.Count - _position);

    /// <summary>Whether <c>--help</c> or <c>-h</c> is among the options.</summary>
    public bool WantsHelp => OptionIndex(["--help", "-h"]) >= 0;

    /// <summary>Removes and returns the value of the first option named one of <paramref name="names"/>.</summary>
    /// <exception cref="UsageException">The option is present without a value, or given twice.</exception>
    public string? TakeOption(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        string? value = null;
        int index;
        while ((index = OptionIndex(names, allowInlineValue: true)) >= 0)
        {
            var token = _tokens[index];
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            string found;
            if (token.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                found = token[(equals + 1)..];
                RemoveToken(index);
            }
            else
            {
                if (index + 1 >= _tokens.Count)
                {
                    throw new UsageException($"option {token} needs a value");
                }

                found = _tokens[index + 1];
                RemoveToken(index);
                RemoveToken(index);
            }

            if (value is not null)
            {
                throw new UsageException($"option {names[0]} is given more than once");
            }

            value = found;
        }

        return value;
    }

    /// <summary>Removes every occurrence of a flag named one of <paramref name="names"/>; true if there was one.</summary>
    public bool TakeFlag(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var found = false;
        int index;
        while ((index = OptionIndex(names)) >= 0)
        {
            RemoveToken(index);
            found = true;
        }

        return found;
    }

    /// <summary>
    /// Removes a flag that may carry an inline value, pcs's <c>--wait</c> / <c>--wait=N</c> (a following token is never
    /// taken as its value). Returns whether it was given and its value.
    /// </summary>
    /// <exception cref="UsageException">The flag is given more than once.</exception>
    public (bool Given, string? Value) TakeFlagWithOptionalValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var given = false;
        string? value = null;
        int index;
        while ((index = OptionIndex([name], allowInlineValue: true)) >= 0)
        {
            if (given)
            {
                throw new UsageException($"option {name} is given more than once");
            }

            var token = _tokens[index];
            value = token.Length > name.Length ? token[(name.Length + 1)..] : null;
            given = true;
            RemoveToken(index);
        }

        return (given, value);
    }

    /// <summary>Reads the next positional token.</summary>
    /// <exception cref="UsageException">There is none; <paramref name="what"/> names what was expected.</exception>
    public string Take(string what)
    {
        if (AtEnd)
        {
            throw new UsageException($"missing {what}");
        }

        return _tokens[_position++];
    }

    /// <summary>The next positional token without consuming it; null at the end.</summary>
    public string? Peek() => AtEnd ? null : _tokens[_position];

    /// <summary>Reads the next token if it equals <paramref name="keyword"/>.</summary>
    public bool TakeKeyword(string keyword)
    {
        if (!AtEnd && _tokens[_position] == keyword)
        {
            _position++;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Reads <c>name=value</c> tokens until the end or a token without <c>=</c> (a keyword such as <c>op</c> or
    /// <c>meta</c>). Values may be empty (<c>name=</c>) and may contain <c>=</c>.
    /// </summary>
    /// <exception cref="UsageException">A token starts with <c>=</c>.</exception>
    public ImmutableArray<KeyValuePair<string, string>> TakeNameValues()
    {
        var pairs = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        while (!AtEnd)
        {
            var token = _tokens[_position];
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                break;
            }

            if (equals == 0)
            {
                throw new UsageException($"'{token}': a name is missing before '='");
            }

            pairs.Add(new(token[..equals], token[(equals + 1)..]));
            _position++;
        }

        return pairs.ToImmutable();
    }

    /// <summary>Fails when positional tokens are left over.</summary>
    /// <exception cref="UsageException">Something was not understood.</exception>
    public void EnsureEnd()
    {
        var rest = Remaining;
        if (rest.Count > 0)
        {
            var first = rest[0];
            throw new UsageException(first.StartsWith('-') && first.Length > 1
                ? $"unknown option '{first}'"
                : $"unexpected argument '{first}'");
        }
    }

    private int OptionIndex(string[] names, bool allowInlineValue = false)
    {
        for (var i = _position; i < Math.Min(_endOfOptions, _tokens.Count); i++)
        {
            var token = _tokens[i];
            foreach (var name in names)
            {
                if (token == name
                    || (allowInlineValue && name.StartsWith("--", StringComparison.Ordinal)
                        && token.StartsWith(name + "=", StringComparison.Ordinal)))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private void RemoveToken(int index)
    {
        _tokens.RemoveAt(index);
        if (index < _endOfOptions)
        {
            _endOfOptions--;
        }
    }
}

/// <summary>The command line is wrong: the message says what, and the command's usage is shown.</summary>
public sealed class UsageException(string message) : Exception(message);
