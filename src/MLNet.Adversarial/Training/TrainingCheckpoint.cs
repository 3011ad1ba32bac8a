using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Training;

/// <summary>
/// Everything needed to continue training: the trainer's whole state (weights and optimiser moments, the privacy
/// adversary and its optimiser, IRGAN's G and D, CFGAN's G, D, Adam moments and weight average, and any order that
/// is not derived from the seed and the epoch), the epoch reached, the vocabularies the rows belong to, the training
/// loop's own state (model selection, the phase and its switches, the history) and, for a refit on all the data, the
/// schedule it replays. A resumed run therefore gives the uninterrupted run's model, byte for byte.
/// </summary>
/// <remarks>
/// Format version 3. Version 2 files (BPR, APR and hybrid checkpoints of earlier releases) still load; a privacy run
/// cannot resume from one, since version 2 did not hold the adversary (the error says so). Version 1 files are
/// rejected. Per-epoch random streams are derived from the seed and the epoch number: resume with the same data,
/// options and seed.
/// </remarks>
public sealed class TrainingCheckpoint
{
    private static readonly byte[] Magic = "MLNACK"u8.ToArray();
    private const int FormatVersion = 3;

    private TrainingCheckpoint(int version, IdVocabulary users, IdVocabulary items, byte[] trainerState, TrainingLoopState loop,
        IReadOnlyDictionary<string, string> settings, TrainingSchedule? replay, TrainingResult<IRecommenderModel>? selectionRun)
    {
        Version = version;
        Users = users;
        Items = items;
        TrainerState = trainerState;
        Loop = loop;
        Settings = settings;
        Replay = replay;
        SelectionRun = selectionRun;
    }

    /// <summary>The file format version the checkpoint was read from (or <c>3</c> when made by this library).</summary>
    public int Version { get; }

    /// <summary>The last completed epoch.</summary>
    public int Epoch => Loop.Epoch;

    /// <summary>The user vocabulary of the weights.</summary>
    public IdVocabulary Users { get; }

    /// <summary>The item vocabulary of the weights.</summary>
    public IdVocabulary Items { get; }

    /// <summary>The epoch of the best validated model so far (0: none; training without validation data).</summary>
    public int BestEpoch => Loop.BestEpoch;

    /// <summary>The validation metric of the best model so far (negative infinity: none).</summary>
    public double BestMetric => Loop.BestMetric;

    /// <summary>Validated epochs without improvement in the current phase (the early-stopping patience counter).</summary>
    public int EpochsSinceBest => Loop.SinceBest;

    /// <summary>The phase the next epoch belongs to (0: the first).</summary>
    public int Phase => Loop.Phase;

    /// <summary>The last epoch of each phase that has ended.</summary>
    public IReadOnlyList<int> PhaseSwitchEpochs => Loop.PhaseEnds;

    /// <summary>Whether this is a checkpoint of the refit on all the data (which replays a selected schedule), not of the validated run.</summary>
    public bool IsRefit => Replay is not null;

    /// <summary>
    /// The settings that shape the training trajectory (dimension, optimiser, learning rate, batch size, sampler,
    /// adversarial settings, seed, ...), as invariant text. Resuming with other values is an error: the result would
    /// match neither run. The number of epochs may differ (training further is what resuming is for).
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    internal byte[] TrainerState { get; }

    internal TrainingLoopState Loop { get; }

    /// <summary>The schedule a refit replays; null for the validated (or only) run.</summary>
    internal TrainingSchedule? Replay { get; }

    /// <summary>For a refit: the validated run whose schedule it replays.</summary>
    internal TrainingResult<IRecommenderModel>? SelectionRun { get; }

    internal static TrainingCheckpoint Capture(IEpochTrainer trainer, InteractionData train, TrainingLoopState loop, IReadOnlyDictionary<string, string> settings,
        TrainingSchedule? replay, TrainingResult<IRecommenderModel>? selectionRun)
    {
        using var state = new MemoryStream();
        using (var w = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) trainer.WriteState(w);
        return new TrainingCheckpoint(FormatVersion, train.Users, train.Items, state.ToArray(), loop.Clone(), settings, replay, selectionRun);
    }

    /// <summary>Throws when <paramref name="current"/> differs from the <see cref="Settings"/> the checkpoint was trained with.</summary>
    internal void CheckSettings(IReadOnlyDictionary<string, string> current)
    {
        if (Settings.TryGetValue(TrainingDataKey, out var data) && current.TryGetValue(TrainingDataKey, out var now) && data != now)
            throw new InvalidOperationException(
                "The checkpoint was made on other data (the same users and items, other positives: another file, MinRating or validation split). Resume with the same training data.");
        // A version-2 file predates some settings: only those it recorded can be compared.
        var keys = Version == 2 ? Settings.Keys : Settings.Keys.Union(current.Keys);
        var differences = keys.Order(StringComparer.Ordinal)
            .Where(k => Settings.GetValueOrDefault(k) != current.GetValueOrDefault(k))
            .Select(k => $"{k} {Settings.GetValueOrDefault(k) ?? "(unset)"} in the checkpoint, {current.GetValueOrDefault(k) ?? "(unset)"} now")
            .ToList();
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"The checkpoint was trained with other settings ({string.Join("; ", differences)}). Resume with the same options and seed.");
    }

    /// <summary>The settings key of the training positives' fingerprint.</summary>
    internal const string TrainingDataKey = "TrainingData";

    /// <summary>Throws unless the checkpoint was made on data with <paramref name="train"/>'s vocabularies.</summary>
    internal void CheckData(InteractionData train)
    {
        if (!Users.Equals(train.Users) || !Items.Equals(train.Items))
            throw new InvalidOperationException(
                $"The checkpoint was made on other data ({Users.Count} users, {Items.Count} items; this data has {train.Users.Count} users, {train.Items.Count} items). Resume with the same training data.");
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public void Save(string path) => AtomicFile.Write(path, Save);

    /// <summary>Writes the checkpoint to <paramref name="stream"/> (always in the current format).</summary>
    public void Save(Stream stream)
    {
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        Users.WriteTo(w);
        Items.WriteTo(w);
        w.Write(TrainerState.Length);
        w.Write(TrainerState);
        Loop.WriteTo(w);
        w.Write(Replay is not null);
        Replay?.WriteTo(w);
        w.Write(SelectionRun is not null);
        if (SelectionRun is { } run)
        {
            w.Write(run.SelectedEpoch);
            TrainingLoopState.WriteInts(w, run.PhaseSwitchEpochs);
            TrainingLoopState.WriteHistory(w, run.History);
            TrainingLoopState.WriteModel(w, run.Model);
        }
        w.Write(Settings.Count);
        foreach (var (key, value) in Settings.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.Write(key);
            w.Write(value);
        }
    }

    /// <summary>Reads a checkpoint; a damaged or foreign file gives an <see cref="InvalidDataException"/> naming it.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a checkpoint from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    public static TrainingCheckpoint Load(Stream stream, string name = "checkpoint")
    {
        try
        {
            using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"'{name}' is not a training checkpoint.");
            int version = r.ReadInt32();
            if (version == 2) return LoadVersion2(r, name);
            if (version != FormatVersion) throw new InvalidDataException($"'{name}' has checkpoint format {version}; this library reads {FormatVersion} and 2.");
            var users = IdVocabulary.ReadFrom(r);
            var items = IdVocabulary.ReadFrom(r);
            var state = TrainingLoopState.ReadBlock(r, name);
            var loop = TrainingLoopState.ReadFrom(r, name);
            var replay = r.ReadBoolean() ? TrainingSchedule.ReadFrom(r) : null;
            TrainingResult<IRecommenderModel>? selection = null;
            if (r.ReadBoolean())
            {
                int selected = r.ReadInt32();
                var ends = TrainingLoopState.ReadInts(r);
                var history = TrainingLoopState.ReadHistory(r);
                var model = TrainingLoopState.ReadModel(r, name, "selected model") ?? throw new InvalidDataException($"'{name}' is corrupt (selection run).");
                selection = new TrainingResult<IRecommenderModel>(model, history, selected) { PhaseSwitchEpochs = ends };
            }
            return new TrainingCheckpoint(FormatVersion, users, items, state, loop, ReadSettings(r, name), replay, selection);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{name}' is truncated.", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{name}' is truncated or corrupt: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or FormatException or (IOException and not FileNotFoundException))
        {
            throw new InvalidDataException($"'{name}' is corrupt: {e.Message}", e);
        }
    }

    /// <summary>
    /// Version 2 (BPR, APR and hybrid only): the factorisation module's TorchSharp state and the selection state. The
    /// trainer state becomes that module's block, which is how the factorisation trainer writes it first; the phase is
    /// derived from the schedule when resuming.
    /// </summary>
    private static TrainingCheckpoint LoadVersion2(BinaryReader r, string name)
    {
        int epoch = r.ReadInt32();
        if (epoch < 0) throw new InvalidDataException($"'{name}' is corrupt (epoch {epoch}).");
        var users = IdVocabulary.ReadFrom(r);
        var items = IdVocabulary.ReadFrom(r);
        var module = TrainingLoopState.ReadBlock(r, name);
        double bestMetric = r.ReadDouble();
        int bestEpoch = r.ReadInt32();
        int sinceBest = r.ReadInt32();
        var best = TrainingLoopState.ReadModel(r, name, "best model");
        if (bestEpoch < 0 || bestEpoch > epoch || sinceBest < 0) throw new InvalidDataException($"'{name}' is corrupt (model-selection state).");
        var settings = ReadSettings(r, name);
        using var state = new MemoryStream();
        using (var w = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(module.Length);
            w.Write(module);
        }
        var loop = new TrainingLoopState
        {
            Epoch = epoch, Best = best, BestMetric = bestMetric, BestEpoch = bestEpoch, PhaseBest = best, PhaseBestMetric = bestMetric, PhaseSinceBest = sinceBest,
        };
        return new TrainingCheckpoint(2, users, items, state.ToArray(), loop, settings, replay: null, selectionRun: null);
    }

    private static Dictionary<string, string> ReadSettings(BinaryReader r, string name)
    {
        int settingCount = r.ReadInt32();
        if (settingCount < 0 || settingCount > 1024) throw new InvalidDataException($"'{name}' is corrupt (settings).");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int k = 0; k < settingCount; k++) settings[r.ReadString()] = r.ReadString();
        return settings;
    }
}
