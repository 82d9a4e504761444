using System;
using CnnGen.Runtime;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// The runtime's transposition (weight repacking, and the filter-vector conv's cell-major result into CHW) against
    /// the definition target[c·rows + r] = source[r·columns + c], element by element: whole 8x8 blocks (in registers with
    /// AVX), the rows and columns past them, and shapes with no whole block. CI runs it again without AVX.
    /// </summary>
    public sealed class LayoutTests
    {
        [Theory]
        [InlineData(0, 5)]
        [InlineData(1, 1)]
        [InlineData(7, 7)]
        [InlineData(8, 8)]
        [InlineData(9, 256)]
        [InlineData(36, 128)]
        [InlineData(17, 23)]
        [InlineData(64, 3)]
        [InlineData(3, 64)]
        [InlineData(40, 41)]
        public void Transpose_puts_every_element_where_the_definition_says(int rows, int columns)
        {
            var random = new Random((rows * 1000) + columns);
            float[] source = new float[(rows * columns) + 5];
            for (int i = 0; i < source.Length; i++)
            {
                source[i] = (float)random.NextDouble();
            }

            // One float past the matrix on each side stays untouched: the blocks write only inside it.
            float[] target = new float[(rows * columns) + 2];
            target[0] = -1f;
            target[^1] = -2f;
            Layout.Transpose(source, rows, columns, target.AsSpan(1, rows * columns));
            float[] cells = new float[(rows * columns) + 2];
            Layout.ToChannels(source, rows, columns, cells.AsSpan(1, rows * columns));

            Assert.Equal(-1f, target[0]);
            Assert.Equal(-2f, target[^1]);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    Assert.Equal(source[(r * columns) + c], target[1 + (c * rows) + r]);
                    Assert.Equal(source[(r * columns) + c], cells[1 + (c * rows) + r]);
                }
            }
        }

        [Fact]
        public void A_short_target_is_refused_and_left_as_it_was()
        {
            float[] source = new float[64];
            float[] target = new float[63];
            Assert.Throws<ArgumentException>(() => Layout.Transpose(source, 8, 8, target));
            Assert.Throws<ArgumentException>(() => Layout.ToChannels(source, 8, 8, target));
            Assert.All(target, v => Assert.Equal(0f, v));
        }
    }
}
