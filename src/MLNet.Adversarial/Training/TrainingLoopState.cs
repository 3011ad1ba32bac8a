using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Training;

/// <summary>
/// Everything the <see cref="TrainingLoop"/> itself remembers between epochs, and writes into checkpoints so that a
/// resumed run selects, switches phases and stops exactly as an uninterrupted one: model selection (the best
/// selectable model, its metric and epoch), the phase (its index, first epoch and own best, for the plateau that
/// ends it), the phase switches so far and the history.
/// </summary>
internal sealed class TrainingLoopState
{
    public int Epoch;
    public IRecommenderModel? Best;
    public double BestMetric = double.NegativeInfinity;
    public int BestEpoch;
    public int Phase;
    public int PhaseStartEpoch; // the last epoch before the phase (0 for the first)
    public IRecommenderModel? PhaseBest;
    public double PhaseBestMetric = double.NegativeInfinity;
    public int PhaseSinceBest;
    public List<int> PhaseEnds = [];
    public List<TrainingEpochReport> History = [];

    /// <summary>Validated epochs without improvement in the current phase (the early-stopping counter of the last phase).</summary>
    public int SinceBest => PhaseSinceBest;

    /// <summary>Moves to the next phase after <see cref="Epoch"/>.</summary>
    public void NextPhase()
    {
        PhaseEnds.Add(Epoch);
        Phase++;
        PhaseStartEpoch = Epoch;
        PhaseBest = null;
        PhaseBestMetric = double.NegativeInfinity;
        PhaseSinceBest = 0;
    }

    public TrainingLoopState Clone() => new()
    {
        Epoch = Epoch, Best = Best, BestMetric = BestMetric, BestEpoch = BestEpoch, Phase = Phase, PhaseStartEpoch = PhaseStartEpoch,
        PhaseBest = PhaseBest, PhaseBestMetric = PhaseBestMetric, PhaseSinceBest = PhaseSinceBest, PhaseEnds = [.. PhaseEnds], History = [.. History],
    };

    public void WriteTo(BinaryWriter w)
    {
        w.Write(Epoch);
        w.Write(BestMetric);
        w.Write(BestEpoch);
        WriteModel(w, Best);
        w.Write(Phase);
        w.Write(PhaseStartEpoch);
        w.Write(PhaseBestMetric);
        w.Write(PhaseSinceBest);
        WriteModel(w, PhaseBest);
        WriteInts(w, PhaseEnds);
        WriteHistory(w, History);
    }

    public static TrainingLoopState ReadFrom(BinaryReader r, string name)
    {
        var s = new TrainingLoopState
        {
            Epoch = r.ReadInt32(), BestMetric = r.ReadDouble(), BestEpoch = r.ReadInt32(), Best = ReadModel(r, name, "best model"),
            Phase = r.ReadInt32(), PhaseStartEpoch = r.ReadInt32(), PhaseBestMetric = r.ReadDouble(), PhaseSinceBest = r.ReadInt32(),
            PhaseBest = ReadModel(r, name, "phase's best model"), PhaseEnds = ReadInts(r), History = ReadHistory(r),
        };
        if (s.Epoch < 0 || s.BestEpoch < 0 || s.BestEpoch > s.Epoch || s.Phase < 0 || s.PhaseStartEpoch > s.Epoch || s.PhaseSinceBest < 0 || s.PhaseEnds.Count != s.Phase)
            throw new InvalidDataException($"'{name}' is corrupt (training loop state).");
        return s;
    }

    internal static void WriteModel(BinaryWriter w, IRecommenderModel? model)
    {
        if (model is null) { w.Write(0); return; }
        using var bytes = new MemoryStream();
        model.Save(bytes);
        w.Write(checked((int)bytes.Length));
        w.Write(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    internal static IRecommenderModel? ReadModel(BinaryReader r, string name, string what)
    {
        var bytes = ReadBlock(r, name);
        return bytes.Length == 0 ? null : RecommenderModelFile.Load(new MemoryStream(bytes), $"'{name}' ({what})");
    }

    internal static byte[] ReadBlock(BinaryReader r, string name)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException($"'{name}' is truncated or corrupt.");
        return r.ReadBytes(length);
    }

    internal static void WriteInts(BinaryWriter w, IReadOnlyList<int> values)
    {
        w.Write(values.Count);
        foreach (var v in values) w.Write(v);
    }

    internal static List<int> ReadInts(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count is < 0 or > 64) throw new InvalidDataException("corrupt phase list");
        var values = new List<int>(count);
        for (int k = 0; k < count; k++) values.Add(r.ReadInt32());
        return values;
    }

    internal static void WriteHistory(BinaryWriter w, IReadOnlyList<TrainingEpochReport> history)
    {
        w.Write(history.Count);
        foreach (var h in history)
        {
            w.Write(h.Epoch); w.Write(h.TotalEpochs); w.Write(h.Loss); WriteOptional(w, h.ValidationMetric); w.Write(h.Seconds); w.Write(h.Pairs);
            w.Write(h.Adversarial); WriteOptional(w, h.AdversaryLoss); WriteOptional(w, h.DiscriminatorLoss); w.Write(h.Phase);
        }
    }

    internal static List<TrainingEpochReport> ReadHistory(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count is < 0 or > 10_000_000) throw new InvalidDataException("corrupt history");
        var history = new List<TrainingEpochReport>(count);
        for (int k = 0; k < count; k++)
            history.Add(new TrainingEpochReport(r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), ReadOptional(r), r.ReadDouble(), r.ReadInt64(), r.ReadBoolean(),
                ReadOptional(r), ReadOptional(r)) { Phase = r.ReadString() });
        return history;
    }

    private static void WriteOptional(BinaryWriter w, double? value)
    {
        w.Write(value.HasValue);
        if (value.HasValue) w.Write(value.Value);
    }

    private static double? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadDouble() : null;
}
