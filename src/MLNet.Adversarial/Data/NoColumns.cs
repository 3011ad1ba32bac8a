namespace MLNet.Adversarial.Data;

/// <summary>
/// A row type with no columns: the input of the shape-only <c>CustomMapping</c>s that add a column to a
/// <c>SchemaShape</c> (ML.NET keeps <c>SchemaShape.Column</c>'s constructor internal). Used by serving and the text
/// transforms alike, so it lives in the lowest folder.
/// </summary>
internal sealed class NoColumns;
