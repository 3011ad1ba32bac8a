namespace MLNet.Adversarial.Training;

/// <summary>
/// A fixed schedule to replay without validation data: the last epoch of each phase that ended, then the total
/// number of epochs. A refit on all the data trains with the schedule its validated run selected.
/// </summary>
internal sealed record TrainingSchedule(IReadOnlyList<int> PhaseEnds, int Epochs)
{
    public void WriteTo(BinaryWriter w)
    {
        w.Write(Epochs);
        w.Write(PhaseEnds.Count);
        foreach (var e in PhaseEnds) w.Write(e);
    }

    public static TrainingSchedule ReadFrom(BinaryReader r)
    {
        int epochs = r.ReadInt32();
        int count = r.ReadInt32();
        if (epochs < 0 || count is < 0 or > 64) throw new InvalidDataException("corrupt schedule");
        var ends = new int[count];
        for (int k = 0; k < count; k++) ends[k] = r.ReadInt32();
        return new TrainingSchedule(ends, epochs);
    }

    /// <inheritdoc />
    public bool Equals(TrainingSchedule? other) => other is not null && Epochs == other.Epochs && PhaseEnds.SequenceEqual(other.PhaseEnds);

    /// <inheritdoc />
    public override int GetHashCode() => Epochs;
}
