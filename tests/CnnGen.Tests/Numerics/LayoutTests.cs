using System;
using CnnGen.Runtime;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// The runtime's transposition (weight repacking, and the filter-vector conv's cell-major result into CHW) against
    /// the definition target[c·rows + r] = source[r·columns + c], element by element: whole 8x8 blocks (in registers with
    /// AVX), the rows and columns past them, and shapes with no whole block. CI runs it again without AVX. And the stride-1
    /// phase copy (a conv's padded input) against the padded layout it is defined by.
    /// </summary>
    public sealed class LayoutTests
    {
        [Theory]
        [InlineData(8, 9, 8)] // one block of 3x3 filters over 1 channel
        [InlineData(16, 144, 8)] // 16 channels of 3x3
        [InlineData(64, 288, 8)] // F: 64 filters of 32 channels of 3x3
        [InlineData(24, 13, 8)] // 13 floats per filter: the blocks' transposes have columns past the last 8x8 block
        [InlineData(12, 7, 4)]
        [InlineData(0, 5, 8)]
        public void Filter_blocks_put_each_weight_where_the_packed_layout_says(int filters, int perFilter, int block)
        {
            var random = new Random((filters * 1000) + perFilter);
            float[] weight = new float[filters * perFilter];
            for (int i = 0; i < weight.Length; i++)
            {
                weight[i] = (float)random.NextDouble();
            }

            // [K/block][perFilter][block]: filter k's value j at ((k / block)·perFilter + j)·block + k % block. One float past
            // the packed weight on each side stays untouched.
            float[] packed = new float[(filters * perFilter) + 2];
            packed[0] = -1f;
            packed[^1] = -2f;
            Layout.PackFilterBlocks(weight, filters, perFilter, block, packed.AsSpan(1, filters * perFilter));
            Assert.Equal(-1f, packed[0]);
            Assert.Equal(-2f, packed[^1]);
            for (int k = 0; k < filters; k++)
            {
                for (int j = 0; j < perFilter; j++)
                {
                    Assert.Equal(weight[(k * perFilter) + j], packed[1 + ((((k / block) * perFilter) + j) * block) + (k % block)]);
                }
            }
        }

        [Fact]
        public void Filter_blocks_that_do_not_fit_are_refused_and_nothing_is_written()
        {
            float[] weight = new float[16 * 9];
            float[] packed = new float[16 * 9];
            Assert.Throws<ArgumentException>(() => Layout.PackFilterBlocks(weight, 12, 12, 8, packed)); // 12 filters: not whole blocks of 8
            Assert.Throws<ArgumentException>(() => Layout.PackFilterBlocks(weight, 16, 9, 8, packed.AsSpan(1))); // packed one short
            Assert.Throws<ArgumentException>(() => Layout.PackFilterBlocks(weight.AsSpan(1).ToArray(), 16, 9, 8, packed)); // weight one short
            Assert.Throws<ArgumentException>(() => Layout.PackFilterBlocks(weight, 16, 9, 0, packed));
            Assert.All(packed, v => Assert.Equal(0f, v));
        }

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

        [Theory]
        [InlineData(56, 56, 3, 1, 1, 57, 58)] // rows sharing their padding column (W + max(left, right))
        [InlineData(5, 3, 4, 2, 1, 9, 6)]
        [InlineData(20, 2, 3, 0, 0, 21, 3)]   // no padding left, one column right
        [InlineData(7, 7, 2, 3, 3, 10, 13)]
        [InlineData(1, 1, 1, 1, 1, 3, 3)]
        [InlineData(17, 4, 3, 4, 0, 25, 5)]   // more than one vector of padding to the right
        [InlineData(33, 3, 2, 0, 2, 33, 7)]   // no padding across: whole channels at once
        public void The_stride_1_phase_copy_puts_each_cell_where_the_padded_layout_says(int width, int height, int depth, int left, int top, int phaseWidth, int phaseHeight)
        {
            // Every cell the pad value (the slack after the planes too), then each input cell at (left + x, top + y).
            var input = new float[width * height * depth];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = i + 1;
            }

            int plane = phaseWidth * phaseHeight;
            var expected = new float[(plane * depth) + 37];
            Array.Fill(expected, -7f);
            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        expected[(d * plane) + ((top + y) * phaseWidth) + left + x] = input[(((d * height) + y) * width) + x];
                    }
                }
            }

            // Every vector width this machine runs (the 128-bit one everywhere, in software without vector instructions).
            var actual = new float[expected.Length];
            Array.Fill(actual, 99f);
            Layout.ToPhasesStride1<Simd128, System.Runtime.Intrinsics.Vector128<float>>(input, width, height, depth, left, top, -7f, phaseWidth, phaseHeight, actual);
            Assert.Equal(expected, actual);
            if (Simd256.IsSupported)
            {
                Array.Fill(actual, 99f);
                Layout.ToPhasesStride1<Simd256, System.Runtime.Intrinsics.Vector256<float>>(input, width, height, depth, left, top, -7f, phaseWidth, phaseHeight, actual);
                Assert.Equal(expected, actual);
            }

            if (Simd512.IsSupported)
            {
                Array.Fill(actual, 99f);
                Layout.ToPhasesStride1<Simd512, System.Runtime.Intrinsics.Vector512<float>>(input, width, height, depth, left, top, -7f, phaseWidth, phaseHeight, actual);
                Assert.Equal(expected, actual);
            }
        }

        [Theory]
        [InlineData(32, 32, 2, 2, 2, 1, 1, 17, 17)]  // F's and L1's copy: 3x3 at stride 2, padding 1
        [InlineData(32, 32, 2, 2, 2, 0, 0, 16, 16)]  // Same padding at stride 2 with nothing on the left
        [InlineData(28, 28, 3, 2, 2, 1, 1, 15, 15)]  // rows narrower than two 512-bit vectors
        [InlineData(64, 3, 2, 2, 2, 1, 1, 33, 3)]    // rows of two pairs of 512-bit vectors, a pad cell each side
        [InlineData(16, 4, 3, 2, 2, 0, 0, 9, 2)]     // ResNet-8's 16x16x32 (Same: a pad cell on the right): rows of one 512-bit vector, split as 256-bit pairs
        [InlineData(8, 4, 2, 2, 2, 1, 1, 5, 3)]      // rows of 8: 128-bit pairs at 256 and 512 bits
        [InlineData(37, 9, 2, 2, 2, 2, 1, 21, 6)]    // odd width, two cells of padding left, more than one right
        [InlineData(9, 5, 2, 3, 3, 3, 2, 7, 4)]      // stride 3 down, padding 3 left (odd phase first)
        [InlineData(1, 3, 1, 2, 2, 1, 0, 2, 2)]      // one column: a phase with no input cell in a row
        [InlineData(70, 4, 1, 2, 1, 0, 1, 36, 3)]    // stride 2 down with one row phase
        public void The_stride_2_phase_copy_puts_each_cell_where_the_phase_layout_says(int width, int height, int depth, int strideY, int phasesY, int left, int top, int phaseWidth, int phaseHeight) =>
            AssertStride2Copy(width, height, depth, strideY, phasesY, left, top, phaseWidth, phaseHeight, phaseWidth, 0, 0, 0, 0);

        [Theory]
        [InlineData(32, 32, 2, 2, 2, 1, 1, 17, 17, 32, 15, 0, 17, 16)]  // F's copy with aligned rows: the odd columns' phase 15 cells in, the even columns' right pad unread
        [InlineData(32, 32, 2, 2, 2, 1, 1, 17, 17, 32, 15, 0, 17, 17)]
        [InlineData(28, 28, 3, 2, 2, 1, 1, 15, 15, 32, 15, 0, 15, 14)]  // rows narrower than two 512-bit vectors
        [InlineData(64, 3, 2, 2, 2, 1, 1, 33, 3, 48, 15, 0, 33, 33)]    // rows of two pairs of 512-bit vectors, a pad cell each side
        [InlineData(37, 9, 2, 2, 2, 2, 1, 21, 6, 48, 15, 15, 20, 19)]   // two cells of padding left: both phases skewed, input cells past the cells read
        [InlineData(70, 4, 1, 2, 1, 0, 1, 36, 3, 48, 0, 0, 36, 35)]     // rows apart, no skew
        [InlineData(8, 4, 2, 2, 2, 1, 1, 5, 3, 21, 3, 7, 2, 5)]         // skews and a pitch that align nothing: still the layout
        public void The_stride_2_phase_copy_with_rows_apart_puts_each_cell_where_the_phase_layout_says(int width, int height, int depth, int strideY, int phasesY, int left, int top, int phaseWidth, int phaseHeight, int pitch, int skewEven, int skewOdd, int cellsEven, int cellsOdd)
        {
            AssertStride2Copy(width, height, depth, strideY, phasesY, left, top, phaseWidth, phaseHeight, pitch, skewEven, skewOdd, cellsEven, cellsOdd);

            // A skew that puts a row past the next one is refused, nothing written.
            var input = new float[width * height * depth];
            var actual = new float[(pitch * phaseHeight * 2 * phasesY * depth) + 37];
            Array.Fill(actual, 99f);
            Assert.Throws<ArgumentException>(() => Layout.ToPhasesStride2<Simd128, System.Runtime.Intrinsics.Vector128<float>>(input, width, height, depth, strideY, phasesY, left, top, -7f, phaseWidth, phaseHeight, pitch, pitch - phaseWidth + 1, skewOdd, cellsEven, cellsOdd, actual));
            Assert.Throws<ArgumentException>(() => Layout.ToPhasesStride2<Simd128, System.Runtime.Intrinsics.Vector128<float>>(input, width, height, depth, strideY, phasesY, left, top, -7f, phaseWidth, phaseHeight, pitch, skewEven, skewOdd, phaseWidth + 1, cellsOdd, actual)); // more cells than the phase width
            Assert.All(actual, v => Assert.Equal(99f, v));
        }

        [Theory]
        [InlineData(16, 16, 3, 2, 2, 1, 1, 0, 0, 8, 8)]     // ResNet-8's 1x1 stride-2 shortcut on 16x16: rows of one 512-bit vector
        [InlineData(32, 4, 2, 2, 2, 1, 1, 0, 0, 16, 2)]     // rows of a pair of 512-bit vectors
        [InlineData(40, 3, 2, 2, 2, 1, 1, 0, 0, 20, 2)]     // a pair and a pair overlapping it
        [InlineData(31, 3, 2, 2, 2, 1, 1, 1, 0, 16, 2)]     // odd width, the first input column odd in the padded row
        [InlineData(24, 2, 2, 2, 2, 1, 1, 0, 0, 12, 1)]     // between one and two 256-bit pairs
        [InlineData(18, 5, 1, 2, 3, 1, 1, 2, 1, 10, 2)]     // two pad cells left, stride 3 down
        [InlineData(12, 2, 2, 2, 1, 1, 1, 0, 0, 6, 2)]      // one 128-bit pair and an overlapping one
        [InlineData(9, 3, 1, 2, 2, 1, 1, 1, 0, 5, 2)]
        [InlineData(7, 2, 2, 2, 2, 1, 1, 0, 0, 4, 1)]       // below 8 cells: one by one
        [InlineData(1, 1, 1, 2, 2, 1, 1, 0, 0, 1, 1)]
        [InlineData(10, 7, 2, 3, 3, 2, 2, 1, 2, 4, 3)]      // stride 3, two phases each way
        public void The_general_phase_copy_puts_each_cell_where_the_phase_layout_says(int width, int height, int depth, int strideX, int strideY, int phasesX, int phasesY, int left, int top, int phaseWidth, int phaseHeight)
        {
            var input = new float[width * height * depth];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = i + 1;
            }

            // Plane ((py·phasesX + px)·D + d) holds padded cell (Sy·i + py, Sx·j + px); pad cells and the slack after the planes
            // the pad value.
            int plane = phaseWidth * phaseHeight;
            var expected = new float[(plane * phasesX * phasesY * depth) + 37];
            Array.Fill(expected, -7f);
            for (int py = 0; py < phasesY; py++)
            {
                for (int px = 0; px < phasesX; px++)
                {
                    for (int d = 0; d < depth; d++)
                    {
                        for (int i = 0; i < phaseHeight; i++)
                        {
                            for (int j = 0; j < phaseWidth; j++)
                            {
                                int y = (strideY * i) + py - top, x = (strideX * j) + px - left;
                                if (y >= 0 && y < height && x >= 0 && x < width)
                                {
                                    expected[((((py * phasesX) + px) * depth) + d) * plane + (i * phaseWidth) + j] = input[(((d * height) + y) * width) + x];
                                }
                            }
                        }
                    }
                }
            }

            var actual = new float[expected.Length];
            void Check<TS, TV>()
                where TS : struct, ISimd<TV>
                where TV : struct
            {
                Array.Fill(actual, 99f);
                Layout.ToPhases<TS, TV>(input, width, height, depth, strideX, strideY, phasesX, phasesY, left, top, -7f, phaseWidth, phaseHeight, actual);
                Assert.Equal(expected, actual);
            }

            Check<Simd128, System.Runtime.Intrinsics.Vector128<float>>();
            if (Simd256.IsSupported)
            {
                Check<Simd256, System.Runtime.Intrinsics.Vector256<float>>();
            }

            if (Simd512.IsSupported)
            {
                Check<Simd512, System.Runtime.Intrinsics.Vector512<float>>();
            }
        }

        /// <summary>
        /// A kernel's compacting stores (<c>Layout.CompactedAt</c>: where each vector of wide positions goes, its junk lanes
        /// dropped) for every vector that ends within the real cells, then <c>Layout.Compact</c> from the first position left:
        /// the CHW output holds wide cell (y, x) at y·W + x for x &lt; W, as a plain loop puts it, on every vector width;
        /// nothing past the output's planes is written. Rows as long as a vector or longer, junk runs of 1 to 40 columns.
        /// </summary>
        [Theory]
        [InlineData(16, 17, 3, 2)] // a row exactly one 16-float vector long
        [InlineData(17, 18, 4, 3)]
        [InlineData(56, 57, 5, 2)] // D's rows (one junk column)
        [InlineData(28, 32, 4, 3)] // 4 junk columns
        [InlineData(20, 28, 6, 1)] // 8: a vector may start in the junk or end in it
        [InlineData(24, 64, 3, 2)] // 40: whole vectors of junk
        [InlineData(33, 35, 1, 3)] // a single row: the wide copy takes its last vectors
        public void Compacting_stores_and_the_copy_after_them_put_each_cell_where_the_compact_layout_says(int width, int wideRow, int height, int depth)
        {
            void Check<TS, TV>()
                where TS : struct, ISimd<TV>
                where TV : struct
            {
                int n = TS.Count;
                int wideChannel = ((height * wideRow) + 15) / 16 * 16, plane = width * height, realEnd = ((height - 1) * wideRow) + width;
                var wide = new float[(depth * wideChannel) + 16];
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = -1f - i; // junk and cells alike: a junk value in the output shows as negative
                }

                for (int d = 0; d < depth; d++)
                {
                    for (int y = 0; y < height; y++)
                    {
                        for (int x = 0; x < width; x++)
                        {
                            wide[(d * wideChannel) + (y * wideRow) + x] = (d * plane) + (y * width) + x;
                        }
                    }
                }

                var output = new float[(depth * plane) + 32];
                Array.Fill(output, float.NaN);
                int from = 0;
                for (; from + n <= realEnd; from += n)
                {
                    for (int d = 0; d < depth; d++)
                    {
                        int at = Layout.CompactedAt<TS, TV>(from, wideRow, width, out TV lanes);
                        TS.Store(TS.Permute(TS.Load(ref wide[d * wideChannel], from), lanes), ref output[d * plane], at);
                    }
                }

                Layout.Compact<TS, TV>(wide, wideChannel, wideRow, width, height, depth, output, from);
                for (int i = 0; i < depth * plane; i++)
                {
                    Assert.Equal(i, output[i]);
                }

                // Nothing past the last plane is written: a compacted store that ends by the last real cell stays in its plane.
                Assert.All(output[(depth * plane)..], v => Assert.True(float.IsNaN(v)));
            }

            Assert.True(wideRow > width && width >= 16);
            Check<Simd128, System.Runtime.Intrinsics.Vector128<float>>();
            if (Simd256.IsSupported)
            {
                Check<Simd256, System.Runtime.Intrinsics.Vector256<float>>();
            }

            if (Simd512.IsSupported)
            {
                Check<Simd512, System.Runtime.Intrinsics.Vector512<float>>();
            }
        }

        /// <summary>
        /// Cell (i, j) of phase (py, px), channel d at ((py·2 + px)·D + d)·pitch·phaseHeight + skew(px) + i·pitch + j holds padded
        /// cell (Sy·i + py, 2·j + px), or the pad value where j is below the phase's cells (<paramref name="cellsEven"/>,
        /// <paramref name="cellsOdd"/>); the slack after the planes the pad value; no other cell written. With cells 0 (pitch =
        /// phaseWidth, no skew) through the overload without them, at every vector width.
        /// </summary>
        private static void AssertStride2Copy(int width, int height, int depth, int strideY, int phasesY, int left, int top, int phaseWidth, int phaseHeight, int pitch, int skewEven, int skewOdd, int cellsEven, int cellsOdd)
        {
            bool rowsApart = cellsEven != 0;
            int[] cells = { rowsApart ? cellsEven : phaseWidth, rowsApart ? cellsOdd : phaseWidth };
            var input = new float[width * height * depth];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = i + 1;
            }

            int plane = pitch * phaseHeight;
            var expected = new float[(plane * 2 * phasesY * depth) + 37];
            Array.Fill(expected, 99f);
            Array.Fill(expected, -7f, plane * 2 * phasesY * depth, 37);
            for (int py = 0; py < phasesY; py++)
            {
                for (int px = 0; px < 2; px++)
                {
                    for (int d = 0; d < depth; d++)
                    {
                        for (int i = 0; i < phaseHeight; i++)
                        {
                            for (int j = 0; j < phaseWidth; j++)
                            {
                                int y = (strideY * i) + py - top, x = (2 * j) + px - left;
                                bool inside = y >= 0 && y < height && x >= 0 && x < width;
                                if (inside || j < cells[px])
                                {
                                    expected[((((py * 2) + px) * depth) + d) * plane + (px == 0 ? skewEven : skewOdd) + (i * pitch) + j] =
                                        inside ? input[(((d * height) + y) * width) + x] : -7f;
                                }
                            }
                        }
                    }
                }
            }

            var actual = new float[expected.Length];
            void Check<TS, TV>()
                where TS : struct, ISimd<TV>
                where TV : struct
            {
                Array.Fill(actual, 99f);
                if (rowsApart)
                {
                    Layout.ToPhasesStride2<TS, TV>(input, width, height, depth, strideY, phasesY, left, top, -7f, phaseWidth, phaseHeight, pitch, skewEven, skewOdd, cellsEven, cellsOdd, actual);
                }
                else
                {
                    Layout.ToPhasesStride2<TS, TV>(input, width, height, depth, strideY, phasesY, left, top, -7f, phaseWidth, phaseHeight, actual);
                }

                Assert.Equal(expected, actual);
            }

            Check<Simd128, System.Runtime.Intrinsics.Vector128<float>>();
            if (Simd256.IsSupported)
            {
                Check<Simd256, System.Runtime.Intrinsics.Vector256<float>>();
            }

            if (Simd512.IsSupported)
            {
                Check<Simd512, System.Runtime.Intrinsics.Vector512<float>>();
            }
        }

        [Theory]
        [InlineData(32, 32, 2, 1, 1, 34, 34)]
        [InlineData(16, 3, 3, 1, 1, 17, 5)]   // rows sharing their padding column
        [InlineData(16, 2, 2, 0, 2, 18, 5)]   // padding right and below only, more than a row of it
        [InlineData(5, 4, 1, 3, 0, 9, 4)]     // more than one cell left, none above or below
        [InlineData(7, 1, 2, 2, 1, 9, 3)]     // one row, two cells left shared as the right padding
        public void The_padding_alone_is_written_around_a_carried_output(int width, int height, int depth, int left, int top, int phaseWidth, int phaseHeight)
        {
            // The carried layout: the conv before writes the input cells; PadBorders writes every other cell (and the slack).
            int plane = phaseWidth * phaseHeight;
            var expected = new float[(plane * depth) + 21];
            Array.Fill(expected, -7f);
            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        expected[(d * plane) + ((top + y) * phaseWidth) + left + x] = 99f;
                    }
                }
            }

            var actual = new float[expected.Length];
            Array.Fill(actual, 99f);
            Layout.PadBorders(width, height, depth, left, top, -7f, phaseWidth, phaseHeight, actual);
            Assert.Equal(expected, actual);
            Assert.Throws<ArgumentException>(() => Layout.PadBorders(width, height, depth, left, top, 0f, phaseWidth, phaseHeight, new float[(plane * depth) - 1]));
        }

        [Theory]
        [InlineData(32, 32, 2, 1, 1, 34, 34)]
        [InlineData(16, 3, 3, 1, 1, 17, 5)]   // rows sharing their padding column
        [InlineData(16, 2, 2, 0, 2, 18, 5)]   // padding right and below only, more than a row of it
        [InlineData(5, 4, 1, 3, 1, 9, 6)]     // more than one cell left, two rows below
        [InlineData(7, 1, 2, 2, 1, 9, 3)]     // one row, two cells left shared as the right padding
        [InlineData(8, 2, 2, 0, 0, 8, 3)]     // no padding across: no cells between rows
        public void The_plane_ends_and_the_cells_after_each_row_are_the_padding_around_a_carried_output(int width, int height, int depth, int left, int top, int phaseWidth, int phaseHeight)
        {
            // The conv that zeroes the cells after each row as it stores the row: PadPlaneEnds and those cells together are
            // exactly what PadBorders writes; PadPlaneEnds alone writes none of the cells between rows.
            int plane = phaseWidth * phaseHeight, gap = phaseWidth - width, origin = (top * phaseWidth) + left;
            var expected = new float[(plane * depth) + 21];
            Array.Fill(expected, 99f);
            Layout.PadBorders(width, height, depth, left, top, -7f, phaseWidth, phaseHeight, expected);

            var actual = new float[expected.Length];
            Array.Fill(actual, 99f);
            Layout.PadPlaneEnds(width, height, depth, left, top, -7f, phaseWidth, phaseHeight, actual);
            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int c = 0; c < gap; c++)
                    {
                        int after = (d * plane) + origin + (y * phaseWidth) + width + c;
                        Assert.Equal(99f, actual[after]);
                        actual[after] = -7f;
                    }
                }
            }

            Assert.Equal(expected, actual);
            Assert.Throws<ArgumentException>(() => Layout.PadPlaneEnds(width, height, depth, left, top, 0f, phaseWidth, phaseHeight, new float[(plane * depth) - 1]));
            Assert.Throws<ArgumentException>(() => Layout.PadPlaneEnds(width, height, depth, left, top, 0f, phaseWidth, top + height, new float[expected.Length])); // no pad row below
        }

        [Theory]
        [InlineData(8, 8, 64, 1, 1, 10, 10)]   // ResNet-8's 8x8x64 into the next 3x3's planes
        [InlineData(8, 8, 16, 1, 1, 9, 10)]    // rows sharing their padding column
        [InlineData(5, 3, 11, 1, 1, 7, 5)]     // neither the cells nor the channels whole blocks of 8
        [InlineData(16, 2, 9, 0, 2, 18, 5)]    // padding right and below only, more than a row of it
        [InlineData(3, 1, 2, 2, 0, 5, 1)]      // one row, no pad row
        public void The_cell_major_output_goes_into_padded_planes_with_zero_padding(int width, int height, int channels, int left, int top, int phaseWidth, int phaseHeight)
        {
            // Source [cell][channel] (a filter-vector conv's result) -> CHW planes with the cells at (left, top), every other
            // cell and the slack after the planes 0.
            var random = new Random(width * 31 + channels);
            float[] source = Numbers.Random(random, width * height * channels, 2f);
            int plane = phaseWidth * phaseHeight;
            var expected = new float[(plane * channels) + 13];
            for (int c = 0; c < channels; c++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        expected[(c * plane) + ((top + y) * phaseWidth) + left + x] = source[(((y * width) + x) * channels) + c];
                    }
                }
            }

            var actual = new float[expected.Length];
            Array.Fill(actual, float.NaN);
            Layout.ToChannelsPadded(source, width, height, channels, left, top, phaseWidth, phaseHeight, actual);
            Assert.Equal(expected, actual);
            Assert.Throws<ArgumentException>(() => Layout.ToChannelsPadded(source, width, height, channels, left, top, phaseWidth, phaseHeight, new float[(plane * channels) - 1]));
            Assert.Throws<ArgumentException>(() => Layout.ToChannelsPadded(source.AsSpan(1), width, height, channels, left, top, phaseWidth, phaseHeight, actual));

            // Negative or overflowing sizes are refused, nothing written (a width of -8 would have filled 8 floats before the buffer).
            Array.Fill(actual, 99f);
            Assert.Throws<ArgumentException>(() => Layout.ToChannelsPadded(source, -8, height, channels, 0, top, 8, phaseHeight, actual));
            Assert.Throws<ArgumentException>(() => Layout.ToChannelsPadded(source, width, height, -channels, left, top, phaseWidth, phaseHeight, actual));
            Assert.Throws<ArgumentException>(() => Layout.PadPlaneEnds(width, height, channels, left, top, 0f, 65536, 65536, actual));
            Assert.Throws<ArgumentException>(() => Layout.PadBorders(-width, height, channels, 0, top, 0f, phaseWidth, phaseHeight, actual));
            Assert.All(actual, v => Assert.Equal(99f, v));
        }

        [Theory]
        [InlineData(32, 3, 2, 1, 1, 34, 5, false)]
        [InlineData(16, 2, 3, 1, 1, 17, 4, true)]   // rows sharing their padding column
        [InlineData(5, 2, 1, 2, 0, 9, 2, true)]     // rows narrower than a vector
        public void An_add_reads_its_operand_in_padded_planes(int width, int height, int depth, int left, int top, int phaseWidth, int phaseHeight, bool relu)
        {
            // The carried layout's residual Add: b's cells inside padded planes (the padding a value no sum may pick up), a and
            // the target CHW; in place over a as well.
            var random = new Random(width + height);
            int plane = phaseWidth * phaseHeight, cells = width * height * depth, origin = (top * phaseWidth) + left;
            float[] a = Numbers.Random(random, cells, 2f);
            var b = new float[plane * depth];
            Array.Fill(b, 1000f);
            var expected = new float[cells];
            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        int i = (((d * height) + y) * width) + x;
                        float v = random.NextSingle() - 0.5f;
                        b[origin + (d * plane) + (y * phaseWidth) + x] = v;
                        float sum = a[i] + v;
                        expected[i] = relu && sum < 0f ? 0f : sum;
                    }
                }
            }

            var target = new float[cells];
            GraphKernels.AddPadded<Simd128, System.Runtime.Intrinsics.Vector128<float>>(a, b, target, relu, width, height, depth, phaseWidth, plane, origin);
            Assert.Equal(expected, target);
            if (Simd512.IsSupported)
            {
                float[] inPlace = (float[])a.Clone();
                GraphKernels.AddPadded<Simd512, System.Runtime.Intrinsics.Vector512<float>>(inPlace, b, inPlace, relu, width, height, depth, phaseWidth, plane, origin);
                Assert.Equal(expected, inPlace);
            }

            // One float short of the last row of the last plane: refused.
            int needed = origin + ((depth - 1) * plane) + ((height - 1) * phaseWidth) + width;
            Assert.Throws<ArgumentException>(() => GraphKernels.AddPadded<Simd128, System.Runtime.Intrinsics.Vector128<float>>(a, b.AsSpan(0, needed - 1), target, relu, width, height, depth, phaseWidth, plane, origin));
        }

        [Theory]
        [InlineData(3, 1, 5)]   // narrower than every vector: one float at a time
        [InlineData(5, 2, 7)]   // 128-bit pieces, the last overlapping
        [InlineData(12, 3, 13)] // 256-bit pieces
        [InlineData(28, 4, 30)] // 16 floats and an overlapping last vector (a depthwise kernel's 28x28 rows into padded rows of 30)
        [InlineData(70, 2, 72)] // five 16-float vectors
        [InlineData(16, 0, 16)] // no rows: nothing written
        public void Rows_are_copied_into_their_place_and_nothing_around_them_is_written(int width, int count, int targetStride)
        {
            int sourceStride = width + 1;
            var source = new float[(count * sourceStride) + 1];
            for (int i = 0; i < source.Length; i++)
            {
                source[i] = i + 1;
            }

            var expected = new float[(count * targetStride) + 2];
            Array.Fill(expected, -7f);
            for (int r = 0; r < count; r++)
            {
                for (int x = 0; x < width; x++)
                {
                    expected[1 + (r * targetStride) + x] = source[(r * sourceStride) + x];
                }
            }

            foreach (int lanes in new[] { 4, 8, 16 })
            {
                var target = new float[expected.Length];
                Array.Fill(target, -7f);
                if (lanes == 16 && Simd512.IsSupported)
                {
                    Layout.CopyRows<Simd512, System.Runtime.Intrinsics.Vector512<float>>(ref source[0], sourceStride, ref target[1], targetStride, count, width);
                }
                else if (lanes == 8 && Simd256.IsSupported)
                {
                    Layout.CopyRows<Simd256, System.Runtime.Intrinsics.Vector256<float>>(ref source[0], sourceStride, ref target[1], targetStride, count, width);
                }
                else if (lanes == 4)
                {
                    Layout.CopyRows<Simd128, System.Runtime.Intrinsics.Vector128<float>>(ref source[0], sourceStride, ref target[1], targetStride, count, width);
                }
                else
                {
                    continue;
                }

                Assert.Equal(expected, target);
            }
        }

        [Theory]
        [InlineData(10, 49, 1, 1, 4, 12, 60)]  // the keyword-spotting stem's input (G4): rows of 10 in 128-bit pieces, the last overlapping
        [InlineData(1, 3, 2, 0, 1, 2, 5)]      // rows narrower than a piece: one cell at a time
        [InlineData(3, 2, 2, 2, 0, 6, 2)]
        [InlineData(4, 3, 3, 1, 1, 6, 5)]      // one whole piece a row
        [InlineData(5, 2, 2, 0, 0, 5, 2)]      // no padding at all
        [InlineData(63, 2, 2, 1, 2, 66, 5)]    // the widest rows in pieces
        [InlineData(64, 2, 2, 1, 1, 66, 4)]    // rows copied by a call each
        [InlineData(70, 3, 1, 3, 0, 75, 4)]
        public void The_padded_copy_puts_each_cell_where_the_padded_layout_says(int width, int height, int depth, int left, int top, int paddedWidth, int paddedHeight)
        {
            var input = new float[width * height * depth];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = i + 1;
            }

            var expected = new float[paddedWidth * paddedHeight * depth];
            Array.Fill(expected, -7f);
            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        expected[(((d * paddedHeight) + y + top) * paddedWidth) + x + left] = input[(((d * height) + y) * width) + x];
                    }
                }
            }

            var padded = new float[expected.Length + 3];
            Array.Fill(padded, float.NaN);
            Layout.Pad(input, width, height, depth, left, top, -7f, paddedWidth, paddedHeight, padded.AsSpan(0, expected.Length));
            Assert.Equal(expected, padded.AsSpan(0, expected.Length).ToArray());
            Assert.All(padded.AsSpan(expected.Length).ToArray(), v => Assert.True(float.IsNaN(v))); // nothing written past the planes
        }

        [Fact]
        public void A_padded_copy_that_does_not_fit_is_refused_and_writes_nothing()
        {
            // Negative padding, sizes past the padded planes, sums past int: refused before anything is written, the cells on
            // either side of the target span included.
            var buffer = new float[40];
            Array.Fill(buffer, 99f);
            var input = new float[] { 1, 2, 3, 4 };
            Span<float> Inside() => buffer.AsSpan(8, 24);
            Assert.Throws<ArgumentException>(() => Layout.Pad(input, 4, 1, 1, -1, 0, 0f, 4, 1, Inside()));
            Assert.Throws<ArgumentException>(() => Layout.Pad(input, 4, 1, 1, 0, -1, 0f, 4, 2, Inside()));
            Assert.Throws<ArgumentException>(() => Layout.Pad(input, 4, 1, 1, int.MaxValue, 0, 0f, 6, 1, Inside()));
            Assert.Throws<ArgumentException>(() => Layout.Pad(input, 4, 1, 1, 0, int.MaxValue, 0f, 6, 2, Inside()));
            Assert.Throws<ArgumentException>(() => Layout.Pad(input, 4, 1, 1, 3, 0, 0f, 6, 1, Inside())); // 3 + 4 > 6
            Assert.Throws<ArgumentException>(() => Layout.Pad(input, 2, 2, 2, 0, 0, 0f, 2, 2, Inside())); // an input of 8 floats given 4
            Assert.All(buffer, v => Assert.Equal(99f, v));
        }

        [Fact]
        public void A_phase_buffer_too_short_is_refused_and_left_as_it_was()
        {
            var input = new float[5 * 4 * 2];
            var phases = new float[(7 * 6 * 2) - 1]; // one short of two 7x6 planes
            Assert.Throws<ArgumentException>(() => Layout.ToPhasesStride1<Simd128, System.Runtime.Intrinsics.Vector128<float>>(input, 5, 4, 2, 1, 1, 0f, 7, 6, phases));
            Assert.Throws<ArgumentException>(() => Layout.ToPhasesStride1<Simd128, System.Runtime.Intrinsics.Vector128<float>>(input, 5, 4, 2, 3, 1, 0f, 7, 6, new float[100])); // 3 + 5 > 7
            Assert.All(phases, v => Assert.Equal(0f, v));
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
