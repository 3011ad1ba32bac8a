using System.Text.Json;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Tuning;

/// <summary>
/// trials.json: the search's settings and every finished trial, rewritten atomically after each trial so that a
/// killed search resumes without running a finished trial again.
/// </summary>
internal sealed class TrialLog
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly string? _path;
    private readonly Dictionary<string, TuningTrial> _previous;
    private readonly List<TuningTrial> _trials = [];

    private TrialLog(string? path, Search search, Dictionary<string, TuningTrial> previous)
    {
        _path = path;
        SearchSettings = search;
        _previous = previous;
    }

    /// <summary>What identifies a search: a file of another search cannot be resumed.</summary>
    internal sealed record Search(int Seed, string Strategy, IReadOnlyList<string> Trainers, int MinEpochs, int MaxEpochs, int Eta, double ValidationFraction,
        bool IncludeDefaults, float? MinRating, string DataHash);

    private sealed record FileContents(Search Search, IReadOnlyList<TuningTrial> Trials);

    /// <summary>The search's settings.</summary>
    public Search SearchSettings { get; }

    /// <summary>Trials of this run so far, in order.</summary>
    public IReadOnlyList<TuningTrial> Trials => _trials;

    /// <summary>How many trials the file held when the search started.</summary>
    public int PreviousCount => _previous.Count;

    /// <summary>Opens <paramref name="path"/> (null: nothing is saved): its trials are resumed when it records the same search.</summary>
    /// <exception cref="InvalidDataException">The file is not a trials file, or records another search.</exception>
    public static TrialLog Open(string? path, Search search)
    {
        var previous = new Dictionary<string, TuningTrial>(StringComparer.Ordinal);
        if (path is not null && File.Exists(path))
        {
            FileContents? contents;
            try { contents = JsonSerializer.Deserialize<FileContents>(File.ReadAllText(path), Json); }
            catch (JsonException e) { throw new InvalidDataException($"'{path}' is not a trials file of 'tune' ({e.Message.Split('\n')[0]}); delete it or choose another folder."); }
            if (contents?.Search is null || contents.Trials is null) throw new InvalidDataException($"'{path}' is not a trials file of 'tune'; delete it or choose another folder.");
            if (JsonSerializer.Serialize(contents.Search, Json) != JsonSerializer.Serialize(search, Json))
                throw new InvalidDataException($"'{path}' records another search ({Describe(contents.Search)}; this one: {Describe(search)}); use another folder or delete it.");
            foreach (var t in contents.Trials) previous[t.Key] = t;
        }
        return new TrialLog(path, search, previous);
    }

    /// <summary>The finished trial <paramref name="key"/> of the file being resumed, renumbered as the <paramref name="number"/>-th of this run.</summary>
    public bool TryResume(string key, int number, out TuningTrial trial)
    {
        if (_previous.TryGetValue(key, out var found)) { trial = found with { Number = number }; return true; }
        trial = null!;
        return false;
    }

    /// <summary>Records a trial and rewrites the file.</summary>
    public void Add(TuningTrial trial)
    {
        _trials.Add(trial);
        if (_path is null) return;
        // The file keeps the previous trials this run has not reached yet: a run stopped early loses nothing.
        var reached = _trials.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        var all = _trials.Concat(_previous.Values.Where(t => !reached.Contains(t.Key)).OrderBy(t => t.Number)).ToArray();
        AtomicFile.WriteAllBytes(_path, JsonSerializer.SerializeToUtf8Bytes(new FileContents(SearchSettings, all), Json));
    }

    private static string Describe(Search s) =>
        $"seed {s.Seed}, {s.Strategy}, {string.Join(",", s.Trainers)}, epochs {s.MinEpochs}..{s.MaxEpochs} η {s.Eta}, validation {s.ValidationFraction}, data {s.DataHash[..Math.Min(8, s.DataHash.Length)]}";
}
